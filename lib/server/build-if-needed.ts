// `npm start` on a fresh clone builds the portal first; after a code change
// (a newer file under app/, lib/, public/ or the Next config than the last
// build) it builds again, so nobody runs a stale portal by accident.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, rmSync, statSync, unlinkSync, utimesSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../pacs-core/logger';

const WATCHED = ['app', 'lib', 'public', 'pacs-core', 'next.config.ts', 'package.json'];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) {
    if (entry === 'node_modules' || entry.startsWith('.') || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestMtime(path.join(target, entry)));
  }
  return newest;
}

export function portalBuildIsCurrent(projectRoot: string): boolean {
  const buildId = path.join(projectRoot, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const builtAt = statSync(buildId).mtimeMs;
  return WATCHED.every((entry) => newestMtime(path.join(projectRoot, entry)) <= builtAt);
}

/** A build that held the lock longer than this died without releasing it. */
const STALE_LOCK_MS = 20 * 60 * 1000;

/**
 * Builds the portal unless the build is current. Several processes starting at once (a node's
 * processes, the nodes of a test) build once: the first takes .next-build.lock (an exclusive
 * create), the others wait for it to go and look again.
 */
export async function buildPortalIfNeeded(projectRoot: string, logger: Logger): Promise<void> {
  const lock = path.join(projectRoot, '.next-build.lock');
  for (;;) {
    if (portalBuildIsCurrent(projectRoot)) return;
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) unlinkSync(lock);
      } catch {
        // released meanwhile
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      if (!portalBuildIsCurrent(projectRoot)) await build(projectRoot, logger);
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
    return;
  }
}

async function build(projectRoot: string, logger: Logger): Promise<void> {
  logger.info('building the portal (next build --webpack); this takes a few minutes the first time');
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'node_modules/next/dist/bin/next'), 'build', '--webpack'], {
      cwd: projectRoot,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build failed with exit code ${code}`))));
  });
  // The build is as new as the sources it read: a file changed while it ran is newer than this, so the next start builds again
  const buildId = path.join(projectRoot, '.next', 'BUILD_ID');
  if (existsSync(buildId)) utimesSync(buildId, new Date(started), new Date(started));
  logger.info('portal built', { seconds: Math.round((Date.now() - started) / 1000) });
}
