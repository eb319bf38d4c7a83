import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ViewerSyncState } from '../collab/protocol';
import { randomUUID } from 'node:crypto';
import { after } from 'node:test';
import { LiveSessions, type RosterEntry } from './live-session-state';
import { createMemoryLiveStore } from './live-store/live-store';
import { createRedisLiveStore } from './live-store/redis-live-store';
import { openRedis } from '../redis/redis-client';
import { silentLogger } from '../../pacs-core/logger';

const ROSTER: RosterEntry[] = [
  { userId: 'host', name: 'Dr Host', role: 'HOST', color: '#facc15' },
  { userId: 'expert', name: 'Dr Expert', role: 'PARTICIPANT', color: '#38bdf8' },
  { userId: 'guest', name: 'Dr Guest', role: 'GUEST', color: '#f472b6' },
];
const VIEW: ViewerSyncState = { layout: '1x1', active: 0, viewports: [{ seriesInstanceUid: '1.2.3', imageIndex: 4, voi: null, camera: null, invert: false }] };


function pick(outcome: { left: boolean; lastPeerOfUser: boolean; presence: unknown }) {
  return { left: outcome.left, lastPeerOfUser: outcome.lastPeerOfUser, empty: outcome.presence === undefined };
}

function rules(store: string, fresh: () => { sessions: LiveSessions; c1: string }): void {
describe(`LiveSessions (${store})`, () => {
  it('makes the host the presenter when the host joins first', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.equal(await sessions.presenterOf(c1), 'host');
  });

  it('lets the longest-present participant stand in while the host is away, and gives the role back when the host arrives', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    await sessions.join(c1, ROSTER, 'p-guest', 'guest');
    assert.equal(await sessions.presenterOf(c1), 'expert');
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    assert.equal(await sessions.presenterOf(c1), 'host');
  });

  it('keeps a presenter chosen by handover when the host comes back; the host can take the role back', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.equal((await sessions.handOver(c1, 'host', 'expert')).outcome, 'HANDED_OVER');
    await sessions.leave(c1, 'p-host');
    await sessions.join(c1, ROSTER, 'p-host-2', 'host');
    assert.equal(await sessions.presenterOf(c1), 'expert');
    assert.equal((await sessions.handOver(c1, 'host', 'host')).outcome, 'HANDED_OVER');
    assert.equal(await sessions.presenterOf(c1), 'host');
  });

  it('passes the role to the host, else to the longest present, when the presenter leaves', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    await sessions.join(c1, ROSTER, 'p-guest', 'guest');
    await sessions.handOver(c1, 'host', 'guest');
    await sessions.leave(c1, 'p-guest');
    assert.equal(await sessions.presenterOf(c1), 'host');
    await sessions.leave(c1, 'p-host');
    assert.equal(await sessions.presenterOf(c1), 'expert');
  });

  it('keeps the presenter while one of their tabs is still here', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host-a', 'host');
    assert.equal(((await sessions.join(c1, ROSTER, 'p-host-b', 'host')) as { firstPeerOfUser: boolean }).firstPeerOfUser, false);
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.deepEqual(pick(await sessions.leave(c1, 'p-host-a')), { left: true, lastPeerOfUser: false, empty: false });
    assert.equal(await sessions.presenterOf(c1), 'host');
  });

  it('lets only the presenter or the host hand over, and only to someone online', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.equal((await sessions.handOver(c1, 'expert', 'expert')).outcome, 'FORBIDDEN');
    assert.equal((await sessions.handOver(c1, 'host', 'guest')).outcome, 'NOT_ONLINE');
    assert.equal((await sessions.handOver(c1, 'host', 'host')).outcome, 'UNCHANGED');
    assert.equal((await sessions.handOver(c1, 'host', 'expert')).outcome, 'HANDED_OVER');
    assert.equal((await sessions.handOver(c1, 'expert', 'host')).outcome, 'HANDED_OVER', 'the presenter hands it on');
  });

  it("keeps only the presenter's viewer state, and keeps it across a change of presenter", async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.equal(await sessions.recordViewport(c1, await sessions.snapshot(c1), 'expert', VIEW), false);
    assert.equal(await sessions.viewer(c1), null);
    assert.equal(await sessions.recordViewport(c1, await sessions.snapshot(c1), 'host', VIEW), true);
    await sessions.handOver(c1, 'host', 'expert');
    assert.deepEqual(await sessions.viewer(c1), VIEW);
  });

  it('shows every invited participant with their tabs, colour and media state', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.ok(await sessions.setMedia(c1, 'p-expert', { audio: true, video: false }));
    assert.equal(await sessions.setMedia(c1, 'p-expert', { audio: true, video: false }), undefined, 'no change, no presence update');
    assert.deepEqual(await sessions.presence(c1), {
      consultationId: c1,
      presenterUserId: 'host',
      participants: [
        { ...ROSTER[0], online: true, peers: [{ peerId: 'p-host', userId: 'host', audio: false, video: false }] },
        { ...ROSTER[1], online: true, peers: [{ peerId: 'p-expert', userId: 'expert', audio: true, video: false }] },
        { ...ROSTER[2], online: false, peers: [] },
      ],
    });
  });

  it('keeps the media state of a tab that joins again', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.setMedia(c1, 'p-host', { audio: true, video: true });
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    assert.deepEqual((await sessions.presence(c1)).participants[0].peers, [{ peerId: 'p-host', userId: 'host', audio: true, video: true }]);
  });

  it('drops the state when the room empties', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.recordViewport(c1, await sessions.snapshot(c1), 'host', VIEW);
    assert.deepEqual(pick(await sessions.leave(c1, 'p-host')), { left: true, lastPeerOfUser: true, empty: true });
    assert.equal(await sessions.viewer(c1), null);
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.equal(await sessions.viewer(c1), null, 'a new session state starts without the old view');
  });

  it('remembers an ended session and hands back who was in it', async () => {
    const { sessions, c1 } = fresh();
    await sessions.join(c1, ROSTER, 'p-host', 'host');
    await sessions.join(c1, ROSTER, 'p-expert', 'expert');
    assert.deepEqual((await sessions.end(c1)).map((peer) => peer.peerId), ['p-host', 'p-expert']);
    assert.equal(await sessions.wasEnded(c1), true);
    assert.equal(await sessions.wasEnded(`c2-${randomUUID()}`), false);
    assert.deepEqual((await sessions.presence(c1)).participants, []);
    assert.deepEqual(await sessions.join(c1, ROSTER, 'p-late', 'expert'), { ended: true }, 'a JOIN that comes after the END does not bring the state back');
    assert.deepEqual((await sessions.presence(c1)).participants, []);
  });
});
}

rules('in this process', () => ({ sessions: new LiveSessions(createMemoryLiveStore()), c1: `c1-${randomUUID()}` }));

// The same rules with the state in Redis (REDIS_URL: several processes), on the machine's Redis
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = await openRedis(REDIS_URL, silentLogger, 'telepacs-test');
const stores: ReturnType<typeof createRedisLiveStore>[] = [];
const redisStore = (serverId?: string) => {
  const store = createRedisLiveStore(redis, serverId);
  stores.push(store);
  return store;
};
after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  redis.disconnect();
});
rules('in Redis', () => ({ sessions: new LiveSessions(redisStore()), c1: `c1-${randomUUID()}` }));

describe('LiveSessions in Redis, several processes', () => {
  it('is one session for tabs on two processes, and drops the tabs of a process that stopped', async () => {
    const c1 = `c1-${randomUUID()}`;
    const one = new LiveSessions(redisStore(`one-${randomUUID()}`));
    const two = new LiveSessions(redisStore(`two-${randomUUID()}`));
    await one.join(c1, ROSTER, 'p-expert', 'expert');
    await two.join(c1, ROSTER, 'p-host', 'host');
    assert.equal(await one.presenterOf(c1), 'host', 'the host on the other process presents');
    assert.deepEqual((await one.presence(c1)).participants.filter((entry) => entry.online).map((entry) => entry.userId), ['host', 'expert']);
    // Process two goes away (its key is gone, as when it was killed and the key expired)
    await two.store.close();
    const { presence } = (await one.join(c1, ROSTER, 'p-guest', 'guest')) as { presence: { presenterUserId: string | null; participants: { userId: string; online: boolean }[] } };
    assert.deepEqual(presence.participants.filter((entry) => entry.online).map((entry) => entry.userId), ['expert', 'guest'], "the host's tab on the stopped process is gone");
    assert.equal(presence.presenterUserId, 'expert', 'the longest present stands in');
    // The host reconnects to process one: presents again
    await one.join(c1, ROSTER, 'p-host-2', 'host');
    assert.equal(await one.presenterOf(c1), 'host');
  });
});
