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
  let section = '';
  const lines: string[] = [];
  for (const line of readFileSync(SHIPPED, 'utf8').split('\n')) {
    if (line.startsWith('backend ')) section = line;
    if (line.startsWith('  log stdout')) continue;
    if (line.startsWith('  default-server ') && section.includes('dicom') && options.dicomSource) lines.push(`${line} source ${options.dicomSource}`);
    else if (line === '  bind :8080') lines.push(`  bind 127.0.0.1:${httpPort}`);
    else if (line === '  bind :11112') lines.push(`  bind 127.0.0.1:${dicomPort}`);
    else if (line.startsWith('  server ')) {
      if (!line.startsWith('  server telepacs1 ')) continue;
      backends.forEach((backend, index) =>
        lines.push(section.includes('http') ? `  server telepacs${index + 1} 127.0.0.1:${backend.httpPort} check cookie t${index + 1}` : `  server telepacs${index + 1} 127.0.0.1:${backend.dicomPort} check`),
      );
    } else lines.push(line);
  }
  const config = path.join(dir, 'haproxy.cfg');
  writeFileSync(config, lines.join('\n'));
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
