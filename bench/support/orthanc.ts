// Orthanc from Debian (`orthanc` + `orthanc-dicomweb`) as the peer archive the
// benches compare with: its own temp storage, HTTP and DICOM on free ports.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, stopProcess, waitUntil } from './processes';

export interface RunningOrthanc {
  name: 'Orthanc';
  version: string;
  url: string;
  dicomwebUrl: string;
  dicomPort: number;
  headers: Record<string, string>;
  logFile: string;
  stop(): Promise<void>;
}

const PLUGIN_DIRS = ['/usr/share/orthanc/plugins', '/usr/lib/orthanc', '/usr/local/share/orthanc/plugins'];

/** The DICOMweb plugin installed by orthanc-dicomweb, or undefined. */
export function findDicomwebPlugin(): string | undefined {
  for (const dir of PLUGIN_DIRS) {
    if (!existsSync(dir)) continue;
    const file = readdirSync(dir).find((name) => /^libOrthancDicomWeb\.so/.test(name));
    if (file) return path.join(dir, file);
  }
  return undefined;
}

function findOrthancBinary(): string | undefined {
  for (const candidate of ['Orthanc', '/usr/sbin/Orthanc', '/usr/bin/Orthanc']) {
    if (spawnSync(candidate, ['--version'], { stdio: 'ignore' }).error === undefined) return candidate;
  }
  return undefined;
}

/** Why Orthanc cannot run here, or undefined. */
export function orthancMissing(): string | undefined {
  if (!findOrthancBinary()) return 'Orthanc is not installed (apt-get install -y orthanc orthanc-dicomweb)';
  if (!findDicomwebPlugin()) return 'the Orthanc DICOMweb plugin is not installed (apt-get install -y orthanc-dicomweb)';
  return undefined;
}

export async function startOrthanc(workDir: string): Promise<RunningOrthanc> {
  const binary = findOrthancBinary();
  const plugin = findDicomwebPlugin();
  if (!binary || !plugin) throw new Error(orthancMissing());
  const storage = path.join(workDir, 'storage');
  mkdirSync(storage, { recursive: true });
  const httpPort = await freePort();
  const dicomPort = await freePort();
  const configFile = path.join(workDir, 'orthanc.json');
  writeFileSync(
    configFile,
    JSON.stringify(
      {
        Name: 'TELEPACS-BENCH',
        StorageDirectory: storage,
        IndexDirectory: storage,
        HttpPort: httpPort,
        DicomPort: dicomPort,
        DicomAet: 'ORTHANC',
        // Orthanc 1.10 cannot bind to loopback only; this makes it refuse
        // any client that is not on this machine.
        RemoteAccessAllowed: false,
        AuthenticationEnabled: false,
        Plugins: [plugin],
        // The Debian defaults otherwise: SQLite index, uncompressed storage,
        // DICOMweb series metadata read from the files ("Full").
        DicomWeb: { Enable: true, Root: '/dicom-web/' },
      },
      null,
      2,
    ),
  );
  const logFile = path.join(workDir, 'orthanc.log');
  const log = createWriteStream(logFile);
  // TCP_NODELAY=1: Orthanc leaves Nagle on otherwise (DESIGN.md, machines).
  const child = spawn(binary, [configFile], { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    await stopProcess(child);
    log.end();
  };
  try {
    await waitUntil('Orthanc', async () => (await fetch(`${url}/system`)).ok, 30_000, () => child.exitCode === null);
    const system = (await (await fetch(`${url}/system`)).json()) as { Version?: string };
    const plugins = (await (await fetch(`${url}/plugins`)).json()) as string[];
    if (!plugins.includes('dicom-web')) throw new Error(`Orthanc started without the DICOMweb plugin (${plugin})`);
    return {
      name: 'Orthanc',
      version: system.Version ?? 'unknown',
      url,
      dicomwebUrl: `${url}/dicom-web`,
      dicomPort,
      headers: {},
      logFile,
      stop,
    };
  } catch (error) {
    await stop();
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- orthanc.log (tail)\n${tail}`);
  }
}
