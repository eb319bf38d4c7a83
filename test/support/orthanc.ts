// Orthanc from Debian (`orthanc` + `orthanc-dicomweb`) as a real peer archive
// for tests and benches: its own temp storage, HTTP and DICOM on free ports,
// TCP_NODELAY=1, a configurable AE title and DicomModalities, and the few REST
// calls the tests need. Never the Debian service on 4242/8042: .ci/run stops
// that one, and a test must not share state with anything it did not start.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, killOnExit, stopProcess, waitUntil } from './dcmtk';

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

let orthancBinary: string | null | undefined;

function findOrthancBinary(): string | undefined {
  if (orthancBinary === undefined) {
    const found = ['Orthanc', '/usr/sbin/Orthanc', '/usr/bin/Orthanc'].find(
      (candidate) => spawnSync(candidate, ['--version'], { stdio: 'ignore' }).error === undefined,
    );
    orthancBinary = found ?? null;
  }
  return orthancBinary ?? undefined;
}

/**
 * Why Orthanc cannot run here, or undefined. `dicomweb: false` when the
 * caller only needs DIMSE and REST (the DICOMweb plugin is then not required).
 */
export function orthancMissing(options: { dicomweb?: boolean } = {}): string | undefined {
  if (!findOrthancBinary()) return 'Orthanc is not installed (apt-get install -y orthanc orthanc-dicomweb)';
  if (options.dicomweb !== false && !findDicomwebPlugin()) {
    return 'the Orthanc DICOMweb plugin is not installed (apt-get install -y orthanc-dicomweb)';
  }
  return undefined;
}

/** A DICOM node Orthanc knows by a symbolic name (its DicomModalities entry). */
export interface OrthancModality {
  aet: string;
  port: number;
  /** Default 127.0.0.1 */
  host?: string;
}

export interface OrthancOptions {
  /** Orthanc's own AE title; default ORTHANC */
  aet?: string;
  /** DicomModalities: name → node. C-MOVE destinations and REST targets (/modalities/<name>/...). */
  modalities?: Record<string, OrthancModality>;
  /**
   * Fixed DICOM port (default: a free one). For a peer that must know
   * Orthanc's address before Orthanc starts: take one with freePort() first.
   */
  dicomPort?: number;
  /** Load the DICOMweb plugin (default true; then it must be installed) */
  dicomweb?: boolean;
  /** Where storage, config and log go; default a new temp dir, deleted by stop() */
  workDir?: string;
  /** Name shown in Orthanc's /system */
  name?: string;
  /** More configuration, applied over the defaults */
  config?: Record<string, unknown>;
}

/** A query answer of /queries/<id>/answers?expand&simplify: keyword → value. */
export type OrthancTags = Record<string, unknown>;

export interface RunningOrthanc {
  version: string;
  aet: string;
  /** REST API root, http://127.0.0.1:<port> */
  url: string;
  /** DICOMweb root (when the plugin is loaded) */
  dicomwebUrl: string;
  httpPort: number;
  dicomPort: number;
  workDir: string;
  logFile: string;
  /** GET <url><path> as JSON; throws on a non-2xx answer with the body */
  getJson<T>(pathname: string): Promise<T>;
  /** POST <url><path> with a JSON (or raw) body, answer as JSON */
  postJson<T>(pathname: string, body: unknown): Promise<T>;
  /** Orthanc ids of every stored instance (/instances) */
  instances(): Promise<string[]>;
  /** SOP Instance UIDs of every stored instance (/tools/find, expanded), sorted */
  sopInstanceUids(): Promise<string[]>;
  /** POST /tools/find: Level Patient/Study/Series/Instance, Query keyword → pattern; expanded answers */
  find(level: 'Patient' | 'Study' | 'Series' | 'Instance', query: Record<string, string>): Promise<OrthancResource[]>;
  /** C-FIND on a modality (/modalities/<x>/query) and its answers (keyword → value) */
  query(modality: string, level: 'Patient' | 'Study' | 'Series' | 'Instance', query: Record<string, string>): Promise<OrthancTags[]>;
  /** C-MOVE on a modality (/modalities/<x>/move), synchronous: resolves when the move has finished */
  move(modality: string, request: OrthancMoveRequest): Promise<void>;
  /** Adds or replaces a DicomModalities entry at run time (PUT /modalities/<name>) */
  addModality(name: string, node: OrthancModality): Promise<void>;
  /** C-ECHO to a modality; true on success */
  echo(modality: string): Promise<boolean>;
  /** Upload one Part 10 file (POST /instances) */
  upload(bytes: Buffer): Promise<{ ID: string; Status: string }>;
  /** Stops Orthanc (SIGTERM, then SIGKILL) and deletes its own temp dir */
  stop(): Promise<void>;
}

export interface OrthancResource {
  ID: string;
  MainDicomTags: Record<string, string>;
}

export interface OrthancMoveRequest {
  Level: 'Patient' | 'Study' | 'Series' | 'Instance';
  /** e.g. [{ StudyInstanceUID: '1.2...' }] */
  Resources: Record<string, string>[];
  /** The AE title the images go to; default Orthanc's own */
  TargetAet?: string;
  /** Seconds Orthanc waits for the move (its DicomScuTimeout otherwise) */
  Timeout?: number;
}

async function readJsonAnswer<T>(response: Response, what: string): Promise<T> {
  const text = await response.text();
  if (!response.ok) throw new Error(`Orthanc ${what}: HTTP ${response.status} ${text.slice(0, 2000)}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Starts Orthanc on free loopback ports with empty storage. Stop it with stop(), also on failure. */
export async function startOrthanc(options: OrthancOptions = {}): Promise<RunningOrthanc> {
  const binary = findOrthancBinary();
  const wantDicomweb = options.dicomweb !== false;
  const plugin = wantDicomweb ? findDicomwebPlugin() : undefined;
  const missing = orthancMissing({ dicomweb: wantDicomweb });
  if (!binary || missing) throw new Error(missing ?? 'Orthanc is not installed');
  const ownDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(path.join(tmpdir(), 'telepacs-orthanc-'));
  const storage = path.join(workDir, 'storage');
  mkdirSync(storage, { recursive: true });
  const httpPort = await freePort();
  const dicomPort = options.dicomPort ?? (await freePort());
  const aet = options.aet ?? 'ORTHANC';
  const modalities = Object.fromEntries(
    Object.entries(options.modalities ?? {}).map(([name, node]) => [name, [node.aet, node.host ?? '127.0.0.1', node.port]]),
  );
  const configFile = path.join(workDir, 'orthanc.json');
  const config: Record<string, unknown> = {
    Name: options.name ?? 'TELEPACS-TEST',
    StorageDirectory: storage,
    IndexDirectory: storage,
    HttpPort: httpPort,
    DicomPort: dicomPort,
    DicomAet: aet,
    // Orthanc 1.10 cannot bind to loopback only; this makes its HTTP server
    // refuse any client that is not on this machine.
    RemoteAccessAllowed: false,
    AuthenticationEnabled: false,
    DicomModalities: modalities,
    // The SCU side (C-FIND/C-MOVE/C-STORE it starts) must fail a test, not hang it.
    DicomScuTimeout: 30,
    // Calls to unknown AEs and files with odd SOP classes are test failures
    // to report, not to hide; keep Orthanc's checks at their defaults otherwise.
    Plugins: plugin ? [plugin] : [],
    ...(plugin ? { DicomWeb: { Enable: true, Root: '/dicom-web/' } } : {}),
    ...options.config,
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = path.join(workDir, 'orthanc.log');
  const log = createWriteStream(logFile);
  // TCP_NODELAY=1: Orthanc leaves Nagle on otherwise (DESIGN.md, machines).
  const child = spawn(binary, [configFile], { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  // end: false — the first of the two streams to close would otherwise end the log under the
  // other one (ERR_STREAM_WRITE_AFTER_END, an unhandled 'error'); stop() ends it
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const unguard = killOnExit(child, () => {
    if (ownDir) rmSync(workDir, { recursive: true, force: true });
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      unguard();
      await stopProcess(child);
      await new Promise<void>((resolve) => log.end(resolve));
      if (ownDir) rmSync(workDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  const url = `http://127.0.0.1:${httpPort}`;
  const getJson = async <T>(pathname: string): Promise<T> => readJsonAnswer<T>(await fetch(`${url}${pathname}`), `GET ${pathname}`);
  const postJson = async <T>(pathname: string, body: unknown): Promise<T> =>
    readJsonAnswer<T>(
      await fetch(`${url}${pathname}`, {
        method: 'POST',
        headers: { 'content-type': body instanceof Uint8Array ? 'application/dicom' : 'application/json' },
        // Copied into a plain ArrayBuffer-backed view: fetch's BodyInit does not take a pooled Buffer's type.
        body: body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
      }),
      `POST ${pathname}`,
    );
  const find = (level: 'Patient' | 'Study' | 'Series' | 'Instance', query: Record<string, string>) =>
    postJson<OrthancResource[]>('/tools/find', { Level: level, Query: query, Expand: true });

  try {
    await waitUntil('Orthanc', async () => (await fetch(`${url}/system`)).ok, 30_000, () => child.exitCode === null && spawnError === undefined);
    const system = await getJson<{ Version?: string }>('/system');
    if (plugin) {
      const plugins = await getJson<string[]>('/plugins');
      if (!plugins.includes('dicom-web')) throw new Error(`Orthanc started without the DICOMweb plugin (${plugin})`);
    }
    return {
      version: system.Version ?? 'unknown',
      aet,
      url,
      dicomwebUrl: `${url}/dicom-web`,
      httpPort,
      dicomPort,
      workDir,
      logFile,
      getJson,
      postJson,
      instances: () => getJson<string[]>('/instances'),
      async sopInstanceUids() {
        const found = await find('Instance', {});
        return found.map((instance) => instance.MainDicomTags.SOPInstanceUID).sort();
      },
      find,
      async query(modality, level, query) {
        const created = await postJson<{ ID: string }>(`/modalities/${encodeURIComponent(modality)}/query`, { Level: level, Query: query });
        return getJson<OrthancTags[]>(`/queries/${created.ID}/answers?expand&simplify`);
      },
      async move(modality, request) {
        await postJson<unknown>(`/modalities/${encodeURIComponent(modality)}/move`, { ...request, Synchronous: true });
      },
      async addModality(name, node) {
        const response = await fetch(`${url}/modalities/${encodeURIComponent(name)}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ AET: node.aet, Host: node.host ?? '127.0.0.1', Port: node.port }),
        });
        await readJsonAnswer<unknown>(response, `PUT /modalities/${name}`);
      },
      async echo(modality) {
        const response = await fetch(`${url}/modalities/${encodeURIComponent(modality)}/echo`, { method: 'POST', body: '{}' });
        await response.arrayBuffer();
        return response.ok;
      },
      upload: (bytes) => postJson<{ ID: string; Status: string }>('/instances', bytes),
      stop,
    };
  } catch (error) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
    await stop();
    const why = spawnError ? spawnError.message : error instanceof Error ? error.message : String(error);
    throw new Error(`${why}\n--- orthanc.log (tail)\n${tail}`);
  }
}
