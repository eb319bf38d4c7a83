// A PostgreSQL server of the test's own (Debian's postgresql binaries, a new
// cluster in a temp dir, a free port), for drills that stop and start the
// database under a running Telepacs (issue 20): the machine's shared server
// cannot be restarted under the other test files. As root (CI), the cluster
// belongs to the `postgres` user: PostgreSQL refuses to run as root.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, killOnExit, waitUntil } from './dcmtk';

export interface PrivatePostgres {
  /** postgresql://postgres@127.0.0.1:PORT/telepacs */
  url: string;
  /** Fast shutdown (SIGINT): open sessions are ended, as in a restart by the administrator */
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest /usr/lib/postgresql/<major>/bin that has initdb, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const majors = readdirSync(root)
    .filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] === undefined ? undefined : path.join(root, majors[0], 'bin');
}

function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install -y postgresql)');
  const user = postgresUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    ...asUser,
    encoding: 'utf8',
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  let child: ChildProcess | undefined;
  let removeGuard = () => {};
  const launch = async () => {
    const started = spawn(
      path.join(bin, 'postgres'),
      ['-D', path.join(dir, 'data'), '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'shared_buffers=32MB', '-c', 'fsync=off'],
      { ...asUser, stdio: 'ignore' },
    );
    removeGuard = killOnExit(started);
    child = started;
    await waitUntil('the private PostgreSQL to accept sessions', () => accepts(`postgresql://postgres@127.0.0.1:${port}/postgres`), 20_000, () => started.exitCode === null);
  };
  const stopServer = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    removeGuard();
    child = undefined;
  };
  await launch();
  const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
  await admin.connect();
  await admin.query('CREATE DATABASE telepacs');
  await admin.end();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/telepacs`,
    stopServer,
    startServer: launch,
    async stop() {
      await stopServer();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function accepts(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}
