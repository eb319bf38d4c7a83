// DCMTK (Debian `dcmtk`) as real DIMSE clients and as a real C-STORE SCP in
// tests and benches: a different implementation from ours, so a test that
// passes against it proves interoperability, not agreement with ourselves.
//
// Every tool runs asynchronously (a Telepacs node under test usually lives in
// the same process and must keep serving while the tool talks to it), with
// TCP_NODELAY=1 (DCMTK leaves Nagle on otherwise: ~40 ms per C-STORE on
// loopback, DESIGN.md) and a timeout after which it is killed.
//
// The child-process helpers (freePort, stopProcess, waitUntil) live here too,
// because storescp is the first process these helpers start; orthanc.ts and
// the benches use the same ones.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { hasDcmtk } from './fixtures';

export { hasDcmtk };

const { DicomMessage, DicomMetaDictionary } = dcmjs.data;

// ---------------------------------------------------------------------------
// Child processes on loopback
// ---------------------------------------------------------------------------

/** A free TCP port on loopback (the OS picks it; closed again before use). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(2_000)]);
  }
}

/**
 * Kills `child` (and runs `cleanup`, synchronous) if this process exits
 * while the child still runs: a crashed test or bench (an uncaught
 * exception skips its finally blocks) must not leave peers listening.
 * Returns the function that removes the guard (call it from stop()).
 */
export function killOnExit(child: ChildProcess, cleanup?: () => void): () => void {
  const guard = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    cleanup?.();
  };
  process.once('exit', guard);
  return () => process.removeListener('exit', guard);
}

/** Polls `probe` until it returns true; throws after `timeoutMs` (bounded wait). */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`${what}: the process exited while starting`);
    if (await probe().catch(() => false)) return;
    await sleep(100);
  }
  throw new Error(`${what}: not ready after ${timeoutMs / 1000} s`);
}

/** True once something accepts TCP connections on 127.0.0.1:port. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------------------
// Running one tool
// ---------------------------------------------------------------------------

export interface DcmtkResult {
  tool: string;
  args: string[];
  /** null when the tool was killed (see timedOut) */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  /** Killed (SIGKILL) after this long; default 60 s */
  timeoutMs?: number;
  cwd?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;
// Output beyond this is cut (a runaway -d log must not eat the test's memory).
const MAX_OUTPUT_CHARS = 8 << 20;

/** Runs one DCMTK tool with TCP_NODELAY=1 and a timeout; never throws for a non-zero exit (see expectSuccess). */
export function runDcmtkTool(tool: string, args: readonly string[], options: RunOptions = {}): Promise<DcmtkResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { cwd: options.cwd, env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_OUTPUT_CHARS) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_OUTPUT_CHARS) stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${tool}: ${error.message} (is DCMTK installed? apt-get install -y dcmtk)`));
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ tool, args: [...args], exitCode: code, stdout, stderr, timedOut, ms: performance.now() - started });
    });
  });
}

/** Throws with the tool's output unless it exited with 0. */
export function expectSuccess<T extends DcmtkResult>(result: T): T {
  if (result.exitCode === 0) return result;
  const why = result.timedOut ? 'timed out' : `exited with ${result.exitCode}`;
  throw new Error(`${result.tool} ${result.args.join(' ')} ${why}\n${result.stderr}${result.stdout}`.slice(0, 20_000));
}

// ---------------------------------------------------------------------------
// SCU tools
// ---------------------------------------------------------------------------

/** Where a tool connects to. */
export interface DicomPeer {
  port: number;
  /** Called AE title */
  aet: string;
  /** Default 127.0.0.1 (tests stay on loopback) */
  host?: string;
}

/**
 * DICOM TLS for a DCMTK tool (its default profile, Non-downgrading BCP 195):
 * `+tls key cert` with our certificate, or `+tla` (no certificate, SCUs
 * only) when key and cert are absent; `+cf ca` is the CA it verifies the
 * other side's certificate against (DCMTK's default -rc: required).
 */
export interface DcmtkTls {
  ca: string;
  key?: string;
  cert?: string;
}

function tlsArgs(tls: DcmtkTls | undefined): string[] {
  if (!tls) return [];
  return [...(tls.key && tls.cert ? ['+tls', tls.key, tls.cert] : ['+tla']), '+cf', tls.ca];
}

export interface ScuOptions extends RunOptions {
  /** Calling AE title; default the tool's own (ECHOSCU, STORESCU...) */
  callingAet?: string;
  /** Associate over DICOM TLS */
  tls?: DcmtkTls;
  /** More arguments, placed before peer and port */
  extraArgs?: readonly string[];
}

function associationArgs(peer: DicomPeer, options: ScuOptions): string[] {
  return [
    '-v',
    '-aec',
    peer.aet,
    ...(options.callingAet ? ['-aet', options.callingAet] : []),
    // Bounded waits inside the tool too, so a silent peer fails the test instead of hanging it.
    '-to',
    '10',
    '-ta',
    '10',
    ...tlsArgs(options.tls),
    ...(options.extraArgs ?? []),
  ];
}

function peerArgs(peer: DicomPeer): string[] {
  return [peer.host ?? '127.0.0.1', String(peer.port)];
}

/** C-ECHO. */
export function echoscu(peer: DicomPeer, options: ScuOptions = {}): Promise<DcmtkResult> {
  return runDcmtkTool('echoscu', [...associationArgs(peer, options), ...peerArgs(peer)], options);
}

/** storescu's proposed transfer syntaxes (its -x… options). */
export const PROPOSE = {
  /** all uncompressed, explicit VR local byte order first (storescu's default) */
  uncompressed: '-x=',
  explicitLittle: '-xe',
  explicitBig: '-xb',
  implicitOnly: '-xi',
  jpegLossless: '-xs',
  jpeg8: '-xy',
  jpeg12: '-xx',
  j2kLossless: '-xv',
  j2kLossy: '-xw',
  jpegLsLossless: '-xt',
  jpegLsLossy: '-xu',
  rle: '-xr',
  deflated: '-xd',
} as const;

export type ProposedTransferSyntaxes = keyof typeof PROPOSE;

export interface StorescuOptions extends ScuOptions {
  /** Which transfer syntaxes to propose; default uncompressed (-x=). Files are converted when needed. */
  propose?: ProposedTransferSyntaxes;
  /** Only the presentation contexts the files need (-R): one association for many SOP classes */
  requiredOnly?: boolean;
  /** Keep going after a failed C-STORE (-nh); default: stop at the first failure, like storescu */
  noHalt?: boolean;
}

export interface StoreResponse {
  /** The status word storescu printed (Success, Warning, ...) or the hex code */
  status: string;
  ok: boolean;
}

export interface StorescuResult extends DcmtkResult {
  /** One per C-STORE response, in order */
  responses: StoreResponse[];
}

/** C-STORE files and/or directories (directories are scanned recursively), all on one association. */
export async function storescu(peer: DicomPeer, paths: readonly string[], options: StorescuOptions = {}): Promise<StorescuResult> {
  const scanDirectories = paths.some((entry) => statSync(entry).isDirectory());
  const args = [
    ...associationArgs(peer, options),
    PROPOSE[options.propose ?? 'uncompressed'],
    ...(options.requiredOnly ? ['-R'] : []),
    ...(options.noHalt ? ['-nh'] : []),
    ...(scanDirectories ? ['+sd', '+r'] : []),
    ...peerArgs(peer),
    ...paths,
  ];
  const result = await runDcmtkTool('storescu', args, { timeoutMs: 120_000, ...options });
  return { ...result, responses: parseStoreResponses(result.stderr + result.stdout) };
}

// "I: Received Store Response (Success)" / "(Warning)" / "(Failure, ...)" / "(0xa700: ...)"
function parseStoreResponses(log: string): StoreResponse[] {
  return [...log.matchAll(/Received Store Response \(([^)]*)\)/g)].map((match) => ({ status: match[1], ok: /^Success|^Warning/.test(match[1]) }));
}

/** Query/Retrieve information model: the -P / -S options. */
export type QueryModel = 'patient' | 'study';
export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export interface QueryOptions extends ScuOptions {
  /** Default study root */
  model?: QueryModel;
  level: QueryLevel;
  /**
   * Matching and return keys, by dcmjs keyword or "gggg,eeee": a value to
   * match, '' to ask for the attribute back. QueryRetrieveLevel is added.
   */
  keys: Record<string, string>;
}

function queryArgs(options: QueryOptions): string[] {
  const keys: Record<string, string> = { QueryRetrieveLevel: options.level, ...options.keys };
  return [
    options.model === 'patient' ? '-P' : '-S',
    ...Object.entries(keys).flatMap(([key, value]) => ['-k', value === '' ? key : `${key}=${value}`]),
  ];
}

export interface FindscuResult extends DcmtkResult {
  /** The C-FIND responses' identifiers, naturalized by dcmjs (keyword → value) */
  datasets: Record<string, unknown>[];
}

/** C-FIND; the responses are read back from findscu's extracted files (-X) with dcmjs. */
export async function findscu(peer: DicomPeer, options: QueryOptions): Promise<FindscuResult> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'telepacs-findscu-'));
  try {
    const args = [...associationArgs(peer, options), ...queryArgs(options), '-X', '-od', outDir, ...peerArgs(peer)];
    const result = await runDcmtkTool('findscu', args, options);
    // rsp0001.dcm, rsp0002.dcm... in the order received
    const files = readdirSync(outDir).filter((name) => /^rsp\d+\.dcm$/.test(name)).sort();
    const datasets = files.map((name) => readDataset(path.join(outDir, name)));
    return { ...result, datasets };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export interface WorklistQueryOptions extends ScuOptions {
  /**
   * findscu -k arguments as DCMTK spells them: "PatientName" asks for the
   * attribute, "PatientName=DOE*" matches, sequence items by path
   * ("ScheduledProcedureStepSequence[0].Modality=CT").
   */
  keys: readonly string[];
}

/** Modality Worklist C-FIND (findscu -W), as a modality queries; the responses read back with dcmjs. */
export async function worklistFindscu(peer: DicomPeer, options: WorklistQueryOptions): Promise<FindscuResult> {
  const outDir = mkdtempSync(path.join(tmpdir(), 'telepacs-mwl-'));
  try {
    const args = [...associationArgs(peer, options), '-W', ...options.keys.flatMap((key) => ['-k', key]), '-X', '-od', outDir, ...peerArgs(peer)];
    const result = await runDcmtkTool('findscu', args, options);
    const files = readdirSync(outDir).filter((name) => /^rsp\d+\.dcm$/.test(name)).sort();
    return { ...result, datasets: files.map((name) => readDataset(path.join(outDir, name))) };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export interface RetrieveCounts {
  completed: number;
  failed: number;
  warning: number;
}

export interface DimseStatus {
  code: number;
  /** DCMTK's text for it, e.g. "Success", "Failed: Unable to process" */
  text: string;
  /** Success (0x0000) or a warning (0x0001, 0xBxxx): the retrieve happened */
  ok: boolean;
}

export interface RetrieveResult extends DcmtkResult {
  /** Status of the final C-MOVE/C-GET response, from the tool's debug dump (-d) */
  finalStatus: DimseStatus | undefined;
  /** Sub-operation counts of the final response */
  counts: RetrieveCounts | undefined;
}

// At debug level (-d) movescu and getscu dump every response:
//   "DIMSE Status                  : 0x0000: Success"
//   "Completed Suboperations       : 3"   (getscu also: "Number of Completed Suboperations : 3")
// The last of each belongs to the final response.
function parseRetrieve(log: string): Pick<RetrieveResult, 'finalStatus' | 'counts'> {
  const last = (pattern: RegExp): RegExpMatchArray | undefined => [...log.matchAll(pattern)].at(-1);
  const status = last(/DIMSE Status\s*:\s*0x([0-9a-fA-F]{4})(?::\s*(.*))?/g);
  const code = status ? Number.parseInt(status[1], 16) : undefined;
  const finalStatus =
    code === undefined ? undefined : { code, text: (status?.[2] ?? '').trim(), ok: code === 0 || code === 1 || (code & 0xf000) === 0xb000 };
  const count = (label: string): number | undefined => {
    const match = last(new RegExp(`${label} Suboperations\\s*:\\s*(\\d+)`, 'g'));
    return match ? Number(match[1]) : undefined;
  };
  const completed = count('Completed');
  const counts = completed === undefined ? undefined : { completed, failed: count('Failed') ?? 0, warning: count('Warning') ?? 0 };
  return { finalStatus, counts };
}

export interface MoveOptions extends QueryOptions {
  /** Move destination AE title (-aem): the SCP must know its address */
  destination: string;
}

/** C-MOVE to `destination` (movescu itself receives nothing: no +P port). */
export async function movescu(peer: DicomPeer, options: MoveOptions): Promise<RetrieveResult> {
  const args = [...associationArgs(peer, options), '-d', ...queryArgs(options), '-aem', options.destination, ...peerArgs(peer)];
  const result = await runDcmtkTool('movescu', args, { timeoutMs: 120_000, ...options });
  return { ...result, ...parseRetrieve(result.stderr + result.stdout) };
}

export interface GetscuResult extends RetrieveResult {
  /** Where getscu wrote the instances it received (a temp dir: call cleanup()) */
  dir: string;
  files: string[];
  cleanup(): void;
}

/** C-GET: the instances come back on the same association, into a temp output dir. */
export async function getscu(peer: DicomPeer, options: QueryOptions): Promise<GetscuResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-getscu-'));
  const args = [...associationArgs(peer, options), '-d', ...queryArgs(options), '-od', dir, ...peerArgs(peer)];
  try {
    const result = await runDcmtkTool('getscu', args, { timeoutMs: 120_000, ...options });
    return {
      ...result,
      ...parseRetrieve(result.stderr + result.stdout),
      dir,
      files: listFiles(dir),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

// ---------------------------------------------------------------------------
// storescp
// ---------------------------------------------------------------------------

export interface StorescpOptions {
  aet: string;
  /** Default: a free port */
  port?: number;
  /** Default: a new temp dir, deleted by stop() */
  dir?: string;
  /** Accept every transfer syntax DCMTK knows (+xa, default) or only uncompressed ones */
  accept?: 'all' | 'uncompressed';
  /** Receive but do not write files (--ignore): the network-only ceiling */
  ignore?: boolean;
  /** Write the dataset to disk as received (+B), as Telepacs stores "as sent" */
  bitPreserving?: boolean;
  /** Listen with DICOM TLS (`+tls key cert +cf ca`): the client must present a certificate chaining to `ca` */
  tls?: Required<DcmtkTls>;
  extraArgs?: readonly string[];
}

export interface RunningStorescp {
  aet: string;
  port: number;
  dir: string;
  logFile: string;
  /** Files received so far (full paths, sorted) */
  files(): string[];
  /** SOP Instance UIDs of the files received so far */
  sopInstanceUids(): string[];
  /** Stops storescp and deletes `dir` (unless the caller gave it) */
  stop(): Promise<void>;
}

/** A DCMTK storescp receiving into a temp dir on a free loopback port, with TCP_NODELAY=1. */
export async function startStorescp(options: StorescpOptions): Promise<RunningStorescp> {
  const port = options.port ?? (await freePort());
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'telepacs-storescp-'));
  mkdirSync(dir, { recursive: true });
  const logFile = path.join(tmpdir(), `telepacs-storescp-${port}-${process.pid}.log`);
  const log = createWriteStream(logFile);
  const args = [
    '-aet',
    options.aet,
    '-od',
    dir,
    ...(options.accept === 'uncompressed' ? [] : ['+xa']),
    ...(options.ignore ? ['--ignore'] : []),
    ...(options.bitPreserving ? ['+B'] : []),
    // A stuck client must not keep storescp's (single) association forever.
    '-ts',
    '30',
    ...tlsArgs(options.tls),
    ...(options.extraArgs ?? []),
    String(port),
  ];
  // storescp only listens on all interfaces; tests connect on loopback only.
  const child = spawn('storescp', args, { env: { ...process.env, TCP_NODELAY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const unguard = killOnExit(child, () => {
    rmSync(logFile, { force: true });
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  });
  const stop = async () => {
    unguard();
    await stopProcess(child, 5_000);
    log.end();
    rmSync(logFile, { force: true });
    if (ownDir) rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil('storescp', () => acceptsConnections(port), 10_000, () => child.exitCode === null && spawnError === undefined);
  } catch (error) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    await stop();
    const why = spawnError ? `${spawnError.message} (apt-get install -y dcmtk)` : error instanceof Error ? error.message : String(error);
    throw new Error(`storescp ${args.join(' ')}: ${why}\n${tail}`);
  }
  const files = () => listFiles(dir);
  return {
    aet: options.aet,
    port,
    dir,
    logFile,
    files,
    sopInstanceUids: () => files().map((file) => sopInstanceUidOf(file)),
    stop,
  };
}

// ---------------------------------------------------------------------------
// Files for the tools
// ---------------------------------------------------------------------------

export interface TempFiles {
  dir: string;
  /** One path per buffer, same order */
  paths: string[];
  cleanup(): void;
}

/** Writes Part 10 buffers (e.g. makeStudy's) into a new temp dir, for storescu. */
export function writeTempFiles(files: readonly Buffer[], prefix = 'telepacs-dicom-'): TempFiles {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const paths = files.map((bytes, index) => {
    const file = path.join(dir, `${String(index + 1).padStart(5, '0')}.dcm`);
    writeFileSync(file, bytes);
    return file;
  });
  return { dir, paths, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// ---------------------------------------------------------------------------
// Reading what the tools wrote
// ---------------------------------------------------------------------------

/** Regular files under `dir`, recursively, sorted (bounded depth: tools write flat or one level). */
export function listFiles(dir: string, depth = 3): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && depth > 0) out.push(...listFiles(full, depth - 1));
    else if (entry.isFile()) out.push(full);
  }
  return out.sort();
}

/** A Part 10 file read with dcmjs and naturalized (keyword → value); pixel data left as read. */
export function readDataset(file: string): Record<string, unknown> {
  const bytes = readFileSync(file);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const dicom = DicomMessage.readFile(arrayBuffer, { ignoreErrors: true });
  return DicomMetaDictionary.naturalizeDataset(dicom.dict);
}

/** The SOP Instance UID of a Part 10 file, read from the header only (stops before the pixels). */
export function sopInstanceUidOf(file: string): string {
  const bytes = readFileSync(file);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // untilTag: the SOP Instance UID (0008,0018) comes long before PixelData (7FE0,0010).
  const dicom = DicomMessage.readFile(arrayBuffer, { ignoreErrors: true, untilTag: '7FE00010' });
  const value = dicom.dict['00080018']?.Value;
  const uid = Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
  if (!uid) throw new Error(`${file}: no SOP Instance UID`);
  return uid.replace(/\0+$/, '').trim();
}
