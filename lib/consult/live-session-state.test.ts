import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ViewerSyncState } from '../collab/protocol';
import { LiveSessions, type RosterEntry } from './live-session-state';

const ROSTER: RosterEntry[] = [
  { userId: 'host', name: 'Dr Host', role: 'HOST', color: '#facc15' },
  { userId: 'expert', name: 'Dr Expert', role: 'PARTICIPANT', color: '#38bdf8' },
  { userId: 'guest', name: 'Dr Guest', role: 'GUEST', color: '#f472b6' },
];
const VIEW: ViewerSyncState = { layout: '1x1', active: 0, viewports: [{ seriesInstanceUid: '1.2.3', imageIndex: 4, voi: null, camera: null, invert: false }] };

describe('LiveSessions', () => {
  it('makes the host the presenter when the host joins first', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.equal(sessions.presenterOf('c1'), 'host');
  });

  it('lets the longest-present participant stand in while the host is away, and gives the role back when the host arrives', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    sessions.join('c1', ROSTER, 'p-guest', 'guest');
    assert.equal(sessions.presenterOf('c1'), 'expert');
    sessions.join('c1', ROSTER, 'p-host', 'host');
    assert.equal(sessions.presenterOf('c1'), 'host');
  });

  it('keeps a presenter chosen by handover when the host comes back; the host can take the role back', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.equal(sessions.handOver('c1', 'host', 'expert'), 'HANDED_OVER');
    sessions.leave('c1', 'p-host');
    sessions.join('c1', ROSTER, 'p-host-2', 'host');
    assert.equal(sessions.presenterOf('c1'), 'expert');
    assert.equal(sessions.handOver('c1', 'host', 'host'), 'HANDED_OVER');
    assert.equal(sessions.presenterOf('c1'), 'host');
  });

  it('passes the role to the host, else to the longest present, when the presenter leaves', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    sessions.join('c1', ROSTER, 'p-guest', 'guest');
    sessions.handOver('c1', 'host', 'guest');
    sessions.leave('c1', 'p-guest');
    assert.equal(sessions.presenterOf('c1'), 'host');
    sessions.leave('c1', 'p-host');
    assert.equal(sessions.presenterOf('c1'), 'expert');
  });

  it('keeps the presenter while one of their tabs is still here', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host-a', 'host');
    assert.deepEqual(sessions.join('c1', ROSTER, 'p-host-b', 'host'), { firstPeerOfUser: false });
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.deepEqual(sessions.leave('c1', 'p-host-a'), { left: true, lastPeerOfUser: false, empty: false });
    assert.equal(sessions.presenterOf('c1'), 'host');
  });

  it('lets only the presenter or the host hand over, and only to someone online', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.equal(sessions.handOver('c1', 'expert', 'expert'), 'FORBIDDEN');
    assert.equal(sessions.handOver('c1', 'host', 'guest'), 'NOT_ONLINE');
    assert.equal(sessions.handOver('c1', 'host', 'host'), 'UNCHANGED');
    assert.equal(sessions.handOver('c1', 'host', 'expert'), 'HANDED_OVER');
    assert.equal(sessions.handOver('c1', 'expert', 'host'), 'HANDED_OVER', 'the presenter hands it on');
  });

  it("keeps only the presenter's viewer state, and keeps it across a change of presenter", () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.equal(sessions.recordViewport('c1', 'expert', VIEW), false);
    assert.equal(sessions.viewer('c1'), null);
    assert.equal(sessions.recordViewport('c1', 'host', VIEW), true);
    sessions.handOver('c1', 'host', 'expert');
    assert.deepEqual(sessions.viewer('c1'), VIEW);
  });

  it('shows every invited participant with their tabs, colour and media state', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.equal(sessions.setMedia('c1', 'p-expert', { audio: true, video: false }), true);
    assert.equal(sessions.setMedia('c1', 'p-expert', { audio: true, video: false }), false, 'no change, no presence update');
    assert.deepEqual(sessions.presence('c1'), {
      consultationId: 'c1',
      presenterUserId: 'host',
      participants: [
        { ...ROSTER[0], online: true, peers: [{ peerId: 'p-host', userId: 'host', audio: false, video: false }] },
        { ...ROSTER[1], online: true, peers: [{ peerId: 'p-expert', userId: 'expert', audio: true, video: false }] },
        { ...ROSTER[2], online: false, peers: [] },
      ],
    });
  });

  it('keeps the media state of a tab that joins again', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.setMedia('c1', 'p-host', { audio: true, video: true });
    sessions.join('c1', ROSTER, 'p-host', 'host');
    assert.deepEqual(sessions.peer('c1', 'p-host'), { peerId: 'p-host', userId: 'host', audio: true, video: true });
  });

  it('drops the state when the room empties', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.recordViewport('c1', 'host', VIEW);
    assert.deepEqual(sessions.leave('c1', 'p-host'), { left: true, lastPeerOfUser: true, empty: true });
    assert.equal(sessions.viewer('c1'), null);
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.equal(sessions.viewer('c1'), null, 'a new session state starts without the old view');
  });

  it('remembers an ended session and hands back who was in it', () => {
    const sessions = new LiveSessions();
    sessions.join('c1', ROSTER, 'p-host', 'host');
    sessions.join('c1', ROSTER, 'p-expert', 'expert');
    assert.deepEqual(sessions.end('c1').map((peer) => peer.peerId), ['p-host', 'p-expert']);
    assert.equal(sessions.wasEnded('c1'), true);
    assert.equal(sessions.wasEnded('c2'), false);
    assert.deepEqual(sessions.presence('c1').participants, []);
  });
});
