// The node's Redis (REDIS_URL, issue 20): what several processes of one node
// share that is neither durable data (PostgreSQL) nor files (the store) —
// socket.io's rooms and broadcasts (the streams adapter), the live
// teleconsultations' state, the sign-in throttle. Unset: all of it stays in
// the process, as with one process.
//
// A lost connection is retried for ever (ioredis, backoff up to 2 s); a command
// fails after at most 2 s (a Redis that stopped answering on an open connection
// too), so a socket event that asks for an answer gets UNAVAILABLE and a sign-in
// falls back to this process's own counts. The connection's loss and return are
// logged once each per outage.
import type Redis from 'ioredis';
import type { Logger } from '../../pacs-core/logger';

export type RedisClient = Redis;

export const COMMAND_TIMEOUT_MS = 2_000;

/** For blocking reads (the socket.io streams adapter's XREAD BLOCK): the same connection settings without the command timeout. */
export function blockingClientOf(redis: Redis): Redis {
  return redis.duplicate({ commandTimeout: undefined });
}

export interface RedisHealth {
  /** 'ready' while connected; anything else while reconnecting */
  status(): string;
}

/** Loads ioredis on first use: a node without REDIS_URL never does */
export async function openRedis(url: string, logger: Logger, name = 'telepacs'): Promise<Redis> {
  const { default: RedisClass } = await import('ioredis');
  const redis = new RedisClass(url, {
    connectionName: name,
    // Each command waits through at most one reconnection attempt, then fails
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2_000),
    enableAutoPipelining: true,
  });
  let lost = false;
  redis.on('error', (error: Error) => {
    if (!lost) logger.warn('redis unavailable, retrying', { error: error.message });
    lost = true;
  });
  redis.on('ready', () => {
    if (lost) logger.info('redis connection restored');
    lost = false;
  });
  return redis;
}

/** Resolves once the first connection is up (start waits for it: a wrong REDIS_URL is an error at start, not later). */
export async function waitForRedis(redis: Redis, timeoutMs = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`REDIS_URL: no answer from Redis within ${timeoutMs / 1000} s (${redis.status})`));
    }, timeoutMs);
    const ready = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', ready);
    };
    redis.on('ready', ready);
  });
}
