// The process-wide services, created once by lib/server/start.ts and shared
// with Next's route handlers and pages. Next bundles app/ code separately from
// the tsx-run server, so module-level singletons would be duplicated; the one
// registry lives on globalThis instead.
import type { Server as SocketIOServer } from 'socket.io';
import type { Database } from '../prisma/database';
import type { Archive } from '../pacs-core/archive';
import type { Logger } from '../pacs-core/logger';
import type { Config } from './config/config';
import type { RedisClient } from './redis/redis-client';

export interface Runtime {
  config: Config;
  db: Database;
  archive: Archive;
  logger: Logger;
  io?: SocketIOServer;
  /** REDIS_URL's connection (lib/redis), shared by the processes of the node; undefined = one process */
  redis?: RedisClient;
  /** In-memory state shared by all route bundles (e.g. the sign-in rate limiter) */
  shared: Map<string, unknown>;
}

const KEY = Symbol.for('telepacs.runtime');
type GlobalWithRuntime = typeof globalThis & { [KEY]?: Runtime };

export function setRuntime(runtime: Runtime | undefined): void {
  (globalThis as GlobalWithRuntime)[KEY] = runtime;
}

export function getRuntime(): Runtime {
  const runtime = (globalThis as GlobalWithRuntime)[KEY];
  if (!runtime) {
    throw new Error('Telepacs runtime is not initialised: start the portal with `npm start` (server.ts), not `next start`');
  }
  return runtime;
}

/** A value in the shared in-memory map, created on first use. */
export function sharedState<T>(key: string, create: () => T): T {
  const shared = getRuntime().shared;
  if (!shared.has(key)) shared.set(key, create());
  return shared.get(key) as T;
}
