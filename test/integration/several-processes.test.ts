// Issue 20, failure drills with real processes: one node as two (then three)
// Telepacs processes on one PostgreSQL database, one Redis and one store,
// behind the shipped HAProxy config.
// - kill -9 of the process receiving a 1,000-image storescu association: every
//   image that got a success status is stored once and identical, and the
//   modality's retry of the whole set through the balancer succeeds;
// - a live teleconsultation with the host on one process and the expert on
//   another is one session (presence, relay, annotations cross); kill -9 of the
//   host's process: the host reconnects through the balancer to the other one
//   and finds presenter, view and annotations as they were; Redis restarted (its
//   state lost): the processes put their tabs back and the session goes on.
// On PostgreSQL only: several processes need it (README "Running several processes").
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import Redis from 'ioredis';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import type { CollabAnnotationInput, CollabMessage, ViewerSyncState } from '../../lib/collab/protocol';
import { startConsultation } from '../../lib/consult/consultations';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CONSULT_EVENTS, CONSULT_NAMESPACE, type ConsultAnnotationAck, type ConsultJoinAck, type ConsultPresencePayload } from '../../lib/realtime/events';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { freePort, storescu, waitUntil, writeTempFiles } from '../support/dcmtk';
import { associateRequestPdu, openRawConnection, type RawConnection } from '../support/raw-dimse';
import { makeStudy } from '../support/fixtures';
import { ackCode, hl7, mllpSend, msh } from '../support/hl7';
import { startHaproxy, type Balancer } from '../support/haproxy';
import { CLUSTER_ADMIN_EMAIL, startProcessCluster, type ClusterProcess, type ProcessCluster } from '../support/process-cluster';
import { startRedisServer, type RedisServer } from '../support/redis-server';
import { hasCommand } from '../support/ceph';
import { stowBody } from '../support/stow';
import { testDatabaseKind } from '../support/test-database';

const skip =
  testDatabaseKind() !== 'postgres'
    ? 'runs in the PostgreSQL phase: several processes need PostgreSQL'
    : !process.env.CI && !(hasCommand('haproxy') && hasCommand('redis-server'))
      ? 'needs haproxy and redis-server (apt-get install -y haproxy redis-server)'
      : undefined;

// The balancer reaches the DICOM ports from its own loopback address; the test's direct connections come from 127.0.0.1
const BALANCER_SOURCE = '127.0.0.2';

describe('one node as several processes (PostgreSQL, Redis, HAProxy)', { skip }, () => {
  let redis: RedisServer;
  let cluster: ProcessCluster;
  let balancer: Balancer;
  const sockets: Socket[] = [];

  before(async () => {
    redis = await startRedisServer();
    // Reached through the balancer: PUBLIC_URL is its address (README), chosen before the processes start
    const ports = { http: await freePort(), dicom: await freePort() };
    cluster = await startProcessCluster({
      processes: 3,
      redisUrl: redis.url,
      env: { DICOM_PEERS: `CT1@127.0.0.1:${await freePort()},CT7@127.0.0.7:${await freePort()}`, PUBLIC_URL: `http://127.0.0.1:${ports.http}`, TRUST_PROXY: 'true', DICOM_PROXY_PROTOCOL_FROM: BALANCER_SOURCE, HL7_PORT: '0', HL7_SENDERS: 'HIS^HOSP' },
    });
    // The balancer knows the first two; the third is for the live session's drill
    balancer = await startHaproxy(
      cluster.processes.slice(0, 2).map((entry) => ({ httpPort: entry.httpPort, dicomPort: entry.dicomPort })),
      ports,
      { dicomSource: BALANCER_SOURCE },
    );
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await balancer?.stop();
    await cluster?.stop();
    await redis?.stop();
  });

  /** The process whose DIMSE port has an association open now (ss: the balancer's connection to it) */
  function receivingProcess(candidates: ClusterProcess[]): ClusterProcess | undefined {
    const established = execFileSync('ss', ['-Htn', 'state', 'established'], { encoding: 'utf8' });
    // Local address first: 127.0.0.1:PORT or [::ffff:127.0.0.1]:PORT
    return candidates.find((entry) => established.split('\n').some((line) => new RegExp(`^\\S+\\s+\\S+\\s+\\S*:${entry.dicomPort}\\s`).test(line)));
  }

  it('started together, the processes made the first run once: one facility, one administrator', async () => {
    assert.equal(await cluster.db.facility.count(), 1);
    assert.equal(await cluster.db.user.count({ where: { email: CLUSTER_ADMIN_EMAIL } }), 1);
    assert.equal(await cluster.db.membership.count(), 1);
  });

  it('counts wrong passwords sent to different processes together (the sign-in throttle in Redis)', async () => {
    // An account of its own: the admin's stays usable for the drills below
    const email = 'throttled@cluster.test';
    const home = await cluster.db.facility.findFirstOrThrow();
    await createUser(cluster.db, { email, passwordHash: await hashPassword('the right password 1'), memberships: [{ facilityId: home.id, role: 'REFERRING' }] });
    const basic = (password: string) => 'Basic ' + Buffer.from(`${email}:${password}`).toString('base64');
    const wrong = basic('not the password');
    const query = (target: ClusterProcess, authorization: string) => fetch(`${target.url}/dicomweb/studies?limit=1`, { headers: { authorization, accept: 'application/dicom+json' } });
    // Five wrong passwords from one address for one account, spread over the three processes
    for (const [index, target] of [0, 1, 2, 0, 1].map((at) => [at, cluster.processes[at]] as const)) {
      const answer = await query(target, wrong);
      assert.deepEqual([answer.status, answer.headers.get('retry-after')], [401, null], `attempt at process ${index + 1}`);
    }
    // The sixth, at the process that saw only one of them, is held back (401 with Retry-After): so is the right password now
    const held = await query(cluster.processes[2], basic('the right password 1'));
    assert.equal(held.status, 401);
    assert.ok(Number(held.headers.get('retry-after')) > 0, 'told when to try again');
    // Audited by the process that refused (its audit queue commits within a second or so); the node's
    // rows, without facility (the account's facility gets its own copy of each)
    const refusalsOf = () => cluster.db.auditEvent.findMany({ where: { actor: email, facilityId: null }, select: { outcome: true, details: true }, orderBy: { at: 'asc' } });
    for (const deadline = Date.now() + 10_000; (await refusalsOf()).length < 6 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    const refusals = await refusalsOf();
    assert.deepEqual(
      refusals.map((row) => [row.outcome, (JSON.parse(row.details ?? '{}') as { reason?: string }).reason]).sort(),
      [...Array(5).fill(['FAILURE', 'INVALID_CREDENTIALS']), ['DENIED', 'RATE_LIMITED']].sort(),
      'each refusal audited',
    );
  });

  it("shows the DICOM door the modality's own address through the balancer (PROXY protocol)", async () => {
    const associate = async (connection: RawConnection, callingAet: string) => {
      connection.socket.write(associateRequestPdu({ calledAet: 'TELEPACS', callingAet }));
      await waitUntil('an answer to the A-ASSOCIATE-RQ', async () => connection.pduTypes.length > 0 || connection.closed, 10_000, () => true);
      connection.socket.destroy();
      return connection.pduTypes[0];
    };
    // CT7 is registered at 127.0.0.7 (another loopback address stands for another machine): from
    // there, through the balancer, it is accepted; from 127.0.0.1 the same AE title is refused
    assert.equal(await associate(await openRawConnection(balancer.dicomPort, '127.0.0.1', '127.0.0.7'), 'CT7'), 0x02, 'A-ASSOCIATE-AC');
    assert.equal(await associate(await openRawConnection(balancer.dicomPort), 'CT7'), 0x03, 'A-ASSOCIATE-RJ');
    // A connection from the balancer's address that does not start with a PROXY header is closed unanswered
    const forged = await openRawConnection(cluster.processes[0].dicomPort, '127.0.0.1', BALANCER_SOURCE);
    assert.equal(await associate(forged, 'CT1'), undefined);
    await forged.closedPromise;
  });

  it("makes a patient correction on one process reach another process's ingest (its known-series cache is told through Redis)", async () => {
    // The series is known to the first process's ingest (with the name of the modality's header)...
    const [ingesting, correcting] = [cluster.processes[0], cluster.processes[2]];
    const study = makeStudy({ patientId: 'MRN-OVL', patientName: 'Old^Name', series: 1, instancesPerSeries: 2, seed: 'several-processes-overlay' });
    const temp = writeTempFiles(study);
    try {
      const firstImage = await storescu({ port: ingesting.dicomPort, aet: 'TELEPACS' }, [temp.paths[0]], { callingAet: 'CT1' });
      assert.ok(firstImage.responses[0]?.ok, firstImage.stderr.slice(-500));
      // ...the HIS corrects the name at another process (HL7 ADT^A08)...
      const [ack] = await mllpSend(correcting.hl7Port!, [hl7(msh('ADT^A08^ADT_A01', { app: 'HIS' }).line, 'EVN|A08|20261207080000', 'PID|1||MRN-OVL^^^HOSP^MR||NEW^NAME||19700102|M', 'PV1|1|O')]);
      assert.equal(ackCode(ack), 'AA', ack);
      // ...and the next image of the series at the first process is indexed with the corrected name
      const secondImage = await storescu({ port: ingesting.dicomPort, aet: 'TELEPACS' }, [temp.paths[1]], { callingAet: 'CT1' });
      assert.ok(secondImage.responses[0]?.ok, secondImage.stderr.slice(-500));
      const [series, sop] = [study.seriesInstanceUids[0], study.sopInstanceUids[0][1]];
      const response = await fetch(`${ingesting.url}/dicomweb/studies/${study.studyInstanceUid}/series/${series}/instances/${sop}/metadata`, {
        headers: { authorization: cluster.adminAuthorization, accept: 'application/dicom+json' },
      });
      assert.equal(response.status, 200);
      const [metadata] = (await response.json()) as Record<string, { Value?: { Alphabetic?: string }[] }>[];
      assert.equal(metadata['00100010']?.Value?.[0]?.Alphabetic, 'NEW^NAME');
    } finally {
      temp.cleanup();
    }
  });

  it('loses no acknowledged image when the receiving process is killed mid-association, and the retry completes the study', async () => {
    const study = makeStudy({ patientId: 'DRILL-1', series: 2, instancesPerSeries: 500, seed: 'several-processes-store' });
    const temp = writeTempFiles(study);
    try {
      const first = storescu({ port: balancer.dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT1' });
      const stored = () => cluster.db.instance.count({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } } });
      while ((await stored()) < 200) await new Promise((resolve) => setTimeout(resolve, 20));
      const victim = receivingProcess(cluster.processes.slice(0, 2));
      assert.ok(victim, 'one of the two balanced processes holds the association');
      await victim.kill();
      const cut = await first;
      const acknowledged = cut.responses.filter((response) => response.ok).length;
      assert.ok(acknowledged >= 200 && acknowledged < study.length, `the association was cut mid-way (${acknowledged} acknowledged)`);
      assert.ok(cut.responses.slice(0, acknowledged).every((response) => response.ok), 'acknowledged in order, then nothing');

      // Each acknowledged image is there once, byte for byte what was sent (its pixels)
      const rows = await cluster.db.instance.findMany({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } }, select: { sopInstanceUid: true } });
      const sops = rows.map((row) => row.sopInstanceUid);
      assert.equal(new Set(sops).size, sops.length, 'no image twice');
      const sent = study.sopInstanceUids.flat();
      for (const sop of sent.slice(0, acknowledged)) assert.ok(sops.includes(sop), `acknowledged ${sop} is stored`);
      const alive = cluster.processes.slice(0, 2).find((entry) => entry !== victim)!;
      for (const index of [0, Math.floor(acknowledged / 2), acknowledged - 1]) {
        const [series, sop] = [study.seriesInstanceUids[index < 500 ? 0 : 1], sent[index]];
        const response = await fetch(`${alive.url}/dicomweb/studies/${study.studyInstanceUid}/series/${series}/instances/${sop}`, { headers: { authorization: cluster.adminAuthorization, accept: 'multipart/related; type="application/dicom"' } });
        assert.equal(response.status, 200, sop);
        const pixels = study[index].subarray(study[index].length - 64 * 64 * 2);
        assert.ok(Buffer.from(await response.arrayBuffer()).includes(pixels), `image ${index} identical`);
      }

      // The modality sends the whole set again: through the balancer, to the process left
      const retry = await storescu({ port: balancer.dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT1' });
      assert.equal(retry.exitCode, 0, retry.stderr.slice(-2000));
      assert.equal(retry.responses.filter((response) => response.ok).length, study.length);
      assert.equal(await stored(), study.length, 'every image once');
    } finally {
      temp.cleanup();
    }
  });

  describe('a live teleconsultation across processes', () => {
    const study = makeStudy({ patientId: 'DRILL-2', series: 1, instancesPerSeries: 1, seed: 'several-processes-live' });
    const VIEW: ViewerSyncState = {
      layout: '1x1',
      active: 0,
      viewports: [{ seriesInstanceUid: study.seriesInstanceUids[0], imageIndex: 0, voi: { windowWidth: 400, windowCenter: 40 }, camera: null, invert: false }],
    };
    const annotation: CollabAnnotationInput = {
      uid: 'drill-length-1',
      tool: 'Length',
      version: 1,
      ref: { studyInstanceUid: study.studyInstanceUid, seriesInstanceUid: study.seriesInstanceUids[0], sopInstanceUid: study.sopInstanceUids[0][0], frameNumber: 1, frameOfReferenceUid: '' },
      points: [
        [0, 0, 0],
        [10, 0, 0],
      ],
      imagePoints: [
        [0, 0],
        [20, 0],
      ],
      viewPlaneNormal: [0, 0, 1],
      viewUp: [0, -1, 0],
      stats: { length: 10 },
    };

    async function cookieFor(email: string): Promise<string> {
      const user = await cluster.db.user.findUniqueOrThrow({ where: { email } });
      const { token } = await createSession(cluster.db, { userId: user.id, ttlHours: 1 });
      return `${SESSION_COOKIE_NAME}=${token}`;
    }
    async function open(url: string, email: string): Promise<Socket> {
      const socket = connect(`${url}${CONSULT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: await cookieFor(email) } });
      sockets.push(socket);
      return socket;
    }
    /** Answered, or refused at once when the socket cannot connect (instead of a hung test) */
    const join = (socket: Socket, id: string) =>
      new Promise<ConsultJoinAck>((resolve, reject) => {
        socket.once('connect_error', (error) => reject(new Error(`socket could not connect: ${error.message}`)));
        socket.emit(CONSULT_EVENTS.JOIN, { consultationId: id }, resolve);
      });
    /** The next such event; a clear failure after 20 s rather than a hung file */
    const next = <T>(socket: Socket, event: string, predicate: (payload: T) => boolean = () => true) =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          socket.off(event, listener);
          reject(new Error(`no ${event} within 20 s`));
        }, 20_000);
        const listener = (payload: T) => {
          if (!predicate(payload)) return;
          clearTimeout(timer);
          socket.off(event, listener);
          resolve(payload);
        };
        socket.on(event, listener);
      });

    it('is one session for the host on one process and the expert on another, and survives kill -9 of the host\'s process', async () => {
      const db = cluster.db;
      const admin = await db.user.findUniqueOrThrow({ where: { email: CLUSTER_ADMIN_EMAIL } });
      const home = await db.membership.findFirstOrThrow({ where: { userId: admin.id } });
      // The host on the third process, the expert on a balanced one (the one still alive)
      const [third] = cluster.processes.slice(2);
      const expertProcess = cluster.processes.slice(0, 2).find((entry) => entry.child.exitCode === null && entry.child.signalCode === null)!;
      const { body, contentType } = stowBody([...study]);
      const stow = await fetch(`${expertProcess.url}/dicomweb/studies`, { method: 'POST', headers: { authorization: cluster.adminAuthorization, 'content-type': contentType }, body: new Uint8Array(body) });
      assert.equal(stow.status, 200);
      await permitSharing(db, await patientRefOfStudy(db, study.studyInstanceUid, home.facilityId));
      const valley = await createFacility(db, 'Valley Clinic');
      const expertUser = await createUser(db, { email: 'expert@valley.example', memberships: [{ facilityId: valley.id, role: 'EXPERT' }] });
      const { id } = await startConsultation({ db }, { userId: admin.id, email: admin.email, ip: '10.0.0.7' }, { studyInstanceUid: study.studyInstanceUid, invitees: ['expert@valley.example'] });

      const host = await open(third.url, CLUSTER_ADMIN_EMAIL);
      assert.equal((await join(host, id)).ok, true);
      const expertHere = next<ConsultPresencePayload>(host, CONSULT_EVENTS.PRESENCE, (payload) => payload.participants.every((entry) => entry.online));
      const expert = await open(expertProcess.url, 'expert@valley.example');
      const expertJoin = await join(expert, id);
      assert.ok(expertJoin.ok);
      assert.equal(expertJoin.presenterUserId, admin.id, 'the host, on the other process, presents');
      assert.deepEqual(expertJoin.participants.map((entry) => [entry.userId, entry.online]), [[admin.id, true], [expertUser.id, true]]);
      await expertHere;

      // The presenter's view and an annotation cross from one process to the other
      const view: CollabMessage = { type: 'viewport', seq: 1, sentAt: Date.now(), state: VIEW };
      const relayed = next<{ message: CollabMessage }>(expert, CONSULT_EVENTS.RELAYED);
      host.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [expert.id], message: view });
      assert.deepEqual((await relayed).message, view);
      const drawn = next<{ annotation: { uid: string } }>(expert, CONSULT_EVENTS.ANNOTATION_CHANGED);
      const ack = await new Promise<ConsultAnnotationAck>((resolve) => host.emit(CONSULT_EVENTS.ANNOTATION_UPSERT, { consultationId: id, annotation }, resolve));
      assert.equal(ack.ok, true);
      assert.equal((await drawn).annotation.uid, annotation.uid);

      // kill -9 of the host's process; the host's browser reconnects through the balancer
      await third.kill();
      const again = await open(balancer.url, CLUSTER_ADMIN_EMAIL);
      const rejoined = await join(again, id);
      assert.ok(rejoined.ok, JSON.stringify(rejoined));
      assert.equal(rejoined.presenterUserId, admin.id, 'still the presenter');
      assert.deepEqual(rejoined.viewer, VIEW, 'the view as last shared');
      assert.deepEqual(rejoined.annotations.map((entry) => entry.uid), [annotation.uid]);
      assert.ok(rejoined.participants.find((entry) => entry.userId === expertUser.id)?.online, 'the expert is still here');
      // And the session goes on: the presenter's next view reaches the expert
      const later: CollabMessage = { type: 'viewport', seq: 2, sentAt: Date.now(), state: { ...VIEW, active: 0 } };
      const relayedAgain = next<{ message: CollabMessage; from: string }>(expert, CONSULT_EVENTS.RELAYED);
      again.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [expert.id], message: later });
      assert.equal((await relayedAgain).from, again.id);

      // Redis restarts and loses everything: the processes reconnect, put their open tabs back
      // (everyone is told who is here), and the session goes on without a process restart
      const restored = next<ConsultPresencePayload>(expert, CONSULT_EVENTS.PRESENCE, (payload) => payload.participants.every((entry) => entry.online) && payload.presenterUserId === admin.id);
      await redis.restart();
      await restored;
      const afterRestart: CollabMessage = { type: 'viewport', seq: 3, sentAt: Date.now(), state: VIEW };
      const relayedAfter = next<{ message: CollabMessage }>(expert, CONSULT_EVENTS.RELAYED);
      again.emit(CONSULT_EVENTS.RELAY, { consultationId: id, to: [expert.id], message: afterRestart });
      assert.deepEqual((await relayedAfter).message, afterRestart);
      const late = await open(balancer.url, 'expert@valley.example');
      const lateJoin = await join(late, id);
      assert.ok(lateJoin.ok);
      assert.deepEqual(lateJoin.viewer, VIEW, "a late tab gets the presenter's view shared since");

      // Redis refuses writes for a moment (over its memory limit) just as a tab closes: the tab's
      // leave is tried again, so it does not stay listed once Redis takes writes again
      const control = new Redis(redis.url);
      try {
        const refusedSets = async () => Number(/cmdstat_set:.*rejected_calls=(\d+)/.exec(await control.info('commandstats'))?.[1] ?? 0);
        const tabsOfExpert = (payload: ConsultPresencePayload) => payload.participants.find((entry) => entry.userId === expertUser.id)?.peers.map((peer) => peer.peerId);
        await control.config('SET', 'maxmemory', '1');
        const before = await refusedSets();
        const lateGone = next<ConsultPresencePayload>(again, CONSULT_EVENTS.PRESENCE, (payload) => tabsOfExpert(payload)?.length === 1);
        late.close();
        await waitUntil('the closed tab\'s leave to be refused by Redis', async () => (await refusedSets()) > before, 10_000, () => true);
        await control.config('SET', 'maxmemory', '0');
        assert.deepEqual(tabsOfExpert(await lateGone), [expert.id], 'the closed tab is gone, the other stays');
      } finally {
        await control.config('SET', 'maxmemory', '0').catch(() => {});
        control.disconnect();
      }
    });
  });
});
