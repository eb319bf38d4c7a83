// HAProxy (Debian's) with the shipped deploy/haproxy/telepacs.cfg, its binds and
// servers replaced by the test's: the balancer the README documents, in front
// of the test's processes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { acceptsConnections, freePort, killOnExit, stopProcess, waitUntil } from './dcmtk';

export interface Balancer {
  url: string;
  dicomPort: number;
  stop(): Promise<void>;
}

const SHIPPED = path.join(import.meta.dirname, '..', '..', 'deploy', 'haproxy', 'telepacs.cfg');

/**
 * The shipped config with the test's or bench's binds and `server` lines: the log line dropped,
 * the rest (timeouts, round robin, the cookie, the health checks) as shipped. Without `dicom`,
 * the DIMSE frontend and backend are left out; `healthUri` replaces /api/health in the HTTP check
 * (a peer archive behind the same balancer); `dicom.source`: see startHaproxy's dicomSource.
 */
export function shippedHaproxyConfig(options: { httpPort: number; httpBackends: readonly number[]; dicom?: { port: number; backends: readonly number[]; source?: string }; healthUri?: string }): string {
  const { dicom } = options;
  let section = '';
  const lines: string[] = [];
  for (const line of readFileSync(SHIPPED, 'utf8').split('\n')) {
    if (/^(global|defaults|frontend |backend )/.test(line)) section = line;
    if (section.includes('dicom') && !dicom) continue;
    if (line.startsWith('  log stdout')) continue;
    if (line.startsWith('  default-server ') && section.includes('dicom') && dicom?.source) lines.push(`${line} source ${dicom.source}`);
    else if (line === '  bind :8080') lines.push(`  bind 127.0.0.1:${options.httpPort}`);
    else if (line === '  bind :11112' && dicom) lines.push(`  bind 127.0.0.1:${dicom.port}`);
    else if (line.startsWith('  http-check send ') && options.healthUri) lines.push(line.replace('/api/health', options.healthUri));
    else if (line.startsWith('  server ')) {
      if (!line.startsWith('  server telepacs1 ')) continue;
      if (section.includes('http')) options.httpBackends.forEach((port, index) => lines.push(`  server telepacs${index + 1} 127.0.0.1:${port} check cookie t${index + 1}`));
      else dicom?.backends.forEach((port, index) => lines.push(`  server telepacs${index + 1} 127.0.0.1:${port} check`));
    } else lines.push(line);
  }
  return lines.join('\n');
}

/** `ports`: the balancer's own, when the processes behind it must know its address first (PUBLIC_URL) */
/**
 * `dicomSource`: the address the balancer connects to the DICOM ports from (HAProxy `source`):
 * another loopback address than the test's own 127.0.0.1, so that the processes believe the PROXY
 * headers of the balancer's connections (DICOM_PROXY_PROTOCOL_FROM) and not those of the test's
 * direct ones.
 */
export async function startHaproxy(
  backends: { httpPort: number; dicomPort: number }[],
  ports?: { http: number; dicom: number },
  options: { dicomSource?: string } = {},
): Promise<Balancer> {
  const [httpPort, dicomPort] = ports ? [ports.http, ports.dicom] : [await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-haproxy-'));
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    shippedHaproxyConfig({
      httpPort,
      httpBackends: backends.map((backend) => backend.httpPort),
      dicom: { port: dicomPort, backends: backends.map((backend) => backend.dicomPort), source: options.dicomSource },
    }),
  );
  const child = spawn('haproxy', ['-f', config, '-db'], { stdio: 'ignore' });
  const removeGuard = killOnExit(child);
  await waitUntil('haproxy to listen', async () => (await acceptsConnections(httpPort)) && (await acceptsConnections(dicomPort)), 10_000, () => child.exitCode === null);
  return {
    url: `http://127.0.0.1:${httpPort}`,
    dicomPort,
    async stop() {
      await stopProcess(child);
      removeGuard();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
