// HAProxy (Debian's) with the shipped deploy/haproxy/telepacs.cfg in front of a
// bench's HTTP servers: the binds and `server` lines replaced by the bench's, the
// log line dropped, the rest (timeouts, round robin, the TELEPACS_SRV cookie,
// the health check every second) as shipped: test/support/haproxy.ts's
// shippedHaproxyConfig, with `healthUri` so that a peer archive (Orthanc:
// /system) can stand behind the very same balancer for a fair ratio.
// HTTP only: the DIMSE frontend and backend are left out.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acceptsConnections, killOnExit, stopProcess, waitUntil } from '../../test/support/dcmtk';
import { shippedHaproxyConfig } from '../../test/support/haproxy';

export interface HttpBalancer {
  url: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}


/** The shipped config with the HTTP frontend on 127.0.0.1:`port` and one `server` line per backend port (test/support/haproxy.ts). */
export function balancerConfig(port: number, backendPorts: readonly number[], healthUri = '/api/health'): string {
  return shippedHaproxyConfig({ httpPort: port, httpBackends: backendPorts, healthUri });
}

/** Starts HAProxy on `port` (taken by the caller first: the processes behind it need it as PUBLIC_URL); waits until every backend is up. */
export async function startBalancer(port: number, backendPorts: readonly number[], healthUri?: string): Promise<HttpBalancer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-bench-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, balancerConfig(port, backendPorts, healthUri));
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const removeGuard = killOnExit(child);
  const stop = async () => {
    await stopProcess(child);
    removeGuard();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('haproxy to listen', () => acceptsConnections(port), 10_000, () => child.exitCode === null);
    // Every backend marked UP before the bench starts (a request to a server still DOWN would be redispatched and skew the spread)
    const url = `http://127.0.0.1:${port}`;
    await waitUntil(
      'haproxy to see every backend up',
      async () => {
        // With round robin, as many requests as backends reach each once; all must answer 2xx/401 (up, not 503)
        for (let i = 0; i < backendPorts.length * 2; i++) {
          const response = await fetch(`${url}${healthUri ?? '/api/health'}`, { headers: { host: 'localhost' } });
          await response.arrayBuffer();
          if (response.status === 503) return false;
        }
        return true;
      },
      15_000,
      () => child.exitCode === null,
    );
    // The first health checks (inter 1s) have run: none of the backends is marked down
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return { url, port, pid: child.pid, stop };
  } catch (error) {
    await stop();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- haproxy stderr\n${stderr}`);
  }
}
