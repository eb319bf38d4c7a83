// A Redis server of the test's own (Debian's redis-server) on a free port,
// nothing kept on disk: restart() is a Redis restart that loses everything, as
// the machine's Redis does (--save "" --appendonly no).
import { spawn, type ChildProcess } from 'node:child_process';
import { killOnExit, stopProcess, waitUntil, acceptsConnections, freePort } from './dcmtk';

export interface RedisServer {
  url: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let removeGuard = () => {};
  const launch = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    removeGuard = killOnExit(started);
    child = started;
    await waitUntil('redis-server to listen', () => acceptsConnections(port), 10_000, () => started.exitCode === null);
  };
  const kill = async () => {
    if (!child) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    removeGuard();
    child = undefined;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      if (child) await stopProcess(child);
      removeGuard();
      child = undefined;
    },
  };
}
