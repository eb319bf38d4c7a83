// `npm start` on a fresh clone builds the portal first; after a code change
// (a newer file under app/, lib/, public/ or the Next config than the last
// build) it builds again, so nobody runs a stale portal by accident.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
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

export async function buildPortalIfNeeded(projectRoot: string, logger: Logger): Promise<void> {
  if (portalBuildIsCurrent(projectRoot)) return;
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
