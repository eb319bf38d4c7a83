// The live sessions' state in Redis (REDIS_URL): one JSON value per session,
// changed under a short per-session lock (SET NX PX, released by a compare-and-
// delete script), so that the processes of a node see and change one state.
//
// A process that dies (kill -9) leaves its tabs in the state: every process
// keeps a key of its own alive (telepacs:server:<id>, 10 s, renewed every 3 s),
// and an update drops the peers of processes whose key has expired before it
// applies the rules (their participants reconnect to another process and join
// again). Nothing here is durable: a Redis restart loses the state, and the
// tabs still connected join again when their sockets reconnect.
import { randomBytes } from 'node:crypto';
import type { RedisClient } from '../../redis/redis-client';
import type { ViewerSyncState } from '../../collab/protocol';
import type { LiveSessionState, LiveStore } from './live-store';

const PREFIX = 'telepacs:live:';
const SERVER_PREFIX = 'telepacs:server:';
const STATE_TTL_S = 24 * 60 * 60;
const ENDED_TTL_S = 7 * 24 * 60 * 60;
const LOCK_MS = 5_000;
const LOCK_WAIT_MS = 5_000;
export const SERVER_TTL_MS = 10_000;
const SERVER_RENEW_MS = 3_000;

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createRedisLiveStore(redis: RedisClient, serverId = `${process.pid}-${randomBytes(4).toString('hex')}`): LiveStore {
  const stateKey = (id: string) => `${PREFIX}${id}`;
  const serverKey = (id: string) => `${SERVER_PREFIX}${id}`;
  const alive = () => redis.set(serverKey(serverId), '1', 'PX', SERVER_TTL_MS).catch(() => undefined);
  void alive();
  const renew = setInterval(() => void alive(), SERVER_RENEW_MS);
  renew.unref();
  // A Redis that restarted has lost the key too: set again before this process's tabs rejoin
  // (attach-consult.ts listens for 'ready' after this), or another process would take them for dead
  const onReady = () => void alive();
  redis.on('ready', onReady);

  async function withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    const key = `${stateKey(id)}:lock`;
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (let wait = 2; (await redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK'; wait = Math.min(wait * 2, 25)) {
      if (Date.now() > deadline) throw new Error(`live session ${id}: its state stayed locked for ${LOCK_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    try {
      return await work();
    } finally {
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  async function load(id: string): Promise<LiveSessionState | undefined> {
    const raw = await redis.get(stateKey(id));
    return raw ? (JSON.parse(raw) as LiveSessionState) : undefined;
  }

  /** Without the peers of processes that stopped renewing their key */
  async function withoutDeadPeers(state: LiveSessionState | undefined): Promise<LiveSessionState | undefined> {
    if (!state) return state;
    const others = [...new Set(state.peers.map((peer) => peer.serverId))].filter((id) => id !== serverId);
    if (!others.length) return state;
    const living = await Promise.all(others.map(async (id) => [id, (await redis.exists(serverKey(id))) === 1] as const));
    const dead = new Set(living.filter(([, up]) => !up).map(([id]) => id));
    return dead.size ? { ...state, peers: state.peers.filter((peer) => !dead.has(peer.serverId)) } : state;
  }

  return {
    serverId,
    update: (id, change) =>
      withLock(id, async () => {
        const [current, ended] = await Promise.all([load(id), redis.exists(`${stateKey(id)}:ended`)]);
        const { state, result } = change(await withoutDeadPeers(current), ended === 1);
        if (state) await redis.set(stateKey(id), JSON.stringify(state), 'EX', STATE_TTL_S);
        else await redis.del(stateKey(id), `${stateKey(id)}:viewer`);
        return result;
      }),
    read: load,
    end: (id) =>
      withLock(id, async () => {
        await redis.set(`${stateKey(id)}:ended`, '1', 'EX', ENDED_TTL_S);
        const state = await load(id);
        await redis.del(stateKey(id), `${stateKey(id)}:viewer`);
        return state;
      }),
    async wasEnded(id) {
      return (await redis.exists(`${stateKey(id)}:ended`)) === 1;
    },
    async viewer(id) {
      const raw = await redis.get(`${stateKey(id)}:viewer`);
      return raw ? (JSON.parse(raw) as ViewerSyncState) : null;
    },
    async setViewer(id, viewer) {
      if (viewer) await redis.set(`${stateKey(id)}:viewer`, JSON.stringify(viewer), 'EX', STATE_TTL_S);
      else await redis.del(`${stateKey(id)}:viewer`);
    },
    async close() {
      clearInterval(renew);
      redis.off('ready', onReady);
      // Leaving on purpose: the other processes drop this one's tabs at their next update
      await redis.del(serverKey(serverId)).catch(() => undefined);
    },
  };
}
