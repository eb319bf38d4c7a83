// A whole Telepacs node (portal included) in its own process, for tests of several nodes
// talking to each other (issue 19): its own data dir and database (SQLite, or a fresh
// PostgreSQL database), a free HTTP port kept across restarts (its peers know it by URL), the
// first-run administrator, and helpers to call its API as that administrator. kill() is a
// SIGKILL (a node going down mid-work); restart() starts it again on the same port, data and database.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createDatabase, type Database } from '../../prisma/database';
import { killOnExit, stopProcess } from './dcmtk';
import { basicAuthHeader } from './dicomweb-client';
import { createScratchDatabaseUrl } from './test-database';

export const NODE_ADMIN_EMAIL = 'admin@node.test';
export const NODE_ADMIN_PASSWORD = 'correct horse battery staple';

export interface NodeProcess {
  name: string;
  url: string;
  dataDir: string;
  databaseKind: 'sqlite' | 'postgres';
  /** A client of the node's own database, for reading ids the API does not list (the test's eyes, not its hands) */
  db: Database;
  adminAuthorization: string;
  /** An API call as the first-run administrator (session cookie, same origin) */
  api(method: string, path: string, body?: unknown): Promise<Response>;
  /** A session cookie for this user */
  signIn(email: string, password: string): Promise<string>;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeProcess(options: { name: string; database: 'sqlite' | 'postgres'; env?: Record<string, string>; /** Node options for the process (a bench's --cpu-prof) */ nodeArgs?: readonly string[] }): Promise<NodeProcess> {
  const dataDir = mkdtempSync(path.join(tmpdir(), `telepacs-node-${options.name.replace(/\W+/g, '-').toLowerCase()}-`));
  const scratch = await createScratchDatabaseUrl(dataDir, options.database);
  let port = 0;
  let child: ChildProcess | undefined;
  let removeGuard: (() => void) | undefined;
  let url = '';

  const launch = async () => {
    const started = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'bench/support/telepacs-node.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        DICOM_PORT: '0',
        DATA_DIR: dataDir,
        NODE_NAME: options.name,
        ADMIN_EMAIL: NODE_ADMIN_EMAIL,
        ADMIN_PASSWORD: NODE_ADMIN_PASSWORD,
        TELEPACS_PORTAL: '1',
        ...(scratch.databaseUrl ? { DATABASE_URL: scratch.databaseUrl } : {}),
        ...options.env,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    // Next prints to stdout too (a build, its banner): the ready line is the JSON one
    const line = await new Promise<string>((resolve, reject) => {
      const lines = createInterface({ input: started.stdout! });
      lines.on('line', (text) => {
        if (text.startsWith('{"url"')) {
          lines.removeAllListeners('line');
          resolve(text);
        }
      });
      started.once('exit', (code) => reject(new Error(`node ${options.name} exited (${code}) before it was ready`)));
    });
    // Keep reading what it prints, so a full pipe never blocks it
    started.stdout!.resume();
    const ready = JSON.parse(line) as { url: string };
    url = ready.url;
    port = Number(new URL(url).port);
    child = started;
    removeGuard = killOnExit(started);
  };
  await launch();
  const db = createDatabase({ databaseUrl: scratch.databaseUrl, dataDir });
  let adminCookie: string | undefined;

  const signIn = async (email: string, password: string) => {
    const response = await fetch(`${url}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json', origin: url }, body: JSON.stringify({ email, password }) });
    if (response.status !== 200) throw new Error(`sign-in of ${email} at ${options.name}: ${response.status} ${await response.text()}`);
    return (response.headers.get('set-cookie') ?? '').split(';')[0];
  };
  const node: NodeProcess = {
    name: options.name,
    get url() {
      return url;
    },
    dataDir,
    databaseKind: options.database,
    db,
    adminAuthorization: basicAuthHeader(NODE_ADMIN_EMAIL, NODE_ADMIN_PASSWORD),
    signIn,
    async api(method, apiPath, body) {
      adminCookie ??= await signIn(NODE_ADMIN_EMAIL, NODE_ADMIN_PASSWORD);
      return fetch(`${url}${apiPath}`, {
        method,
        headers: { cookie: adminCookie, origin: url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async kill() {
      if (!child) return;
      const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
      removeGuard?.();
      child = undefined;
    },
    async restart() {
      if (child) await stopProcess(child);
      removeGuard?.();
      await launch();
    },
    async stop() {
      if (child) await stopProcess(child);
      removeGuard?.();
      child = undefined;
      await db.$disconnect();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return node;
}
