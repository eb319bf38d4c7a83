// socket.io across the processes of a node (REDIS_URL): the Redis streams
// adapter, which survives a Redis restart (each process reads on from its
// offset). Loaded only with REDIS_URL.
import type { ServerOptions } from 'socket.io';
import { blockingClientOf, type RedisClient } from './redis-client';

const ADAPTER_CLIENT_KEY = 'realtime.adapter-client';

export async function socketAdapterFor(redis: RedisClient, shared: Map<string, unknown>): Promise<ServerOptions['adapter']> {
  const { createAdapter } = await import('@socket.io/redis-streams-adapter');
  // It blocks on XREAD for seconds: a client of its own, without the command timeout
  const client = blockingClientOf(redis);
  shared.set(ADAPTER_CLIENT_KEY, client);
  return createAdapter(client, { streamName: 'telepacs:socket.io', channelPrefix: 'telepacs:socket.io' }) as ServerOptions['adapter'];
}

/** At shutdown, after socket.io closed */
export function closeSocketAdapterClient(shared: Map<string, unknown>): void {
  (shared.get(ADAPTER_CLIENT_KEY) as RedisClient | undefined)?.disconnect();
}
