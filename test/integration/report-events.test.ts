// report:changed reaches whoever reads the report when it changes, and nobody
// else (issue 14, real time): the facility's report readers, people reading
// the study copy through a grant (their own socket room, decided when the
// event is sent), not an expert of another facility without a grant, not a
// grantee whose grant was revoked; a co-signature request reaches only the
// author and the colleague asked. A running node (SQLite, or PostgreSQL with
// TEST_DATABASE=postgres), real sockets. "Did not arrive" is shown without
// waiting: after the operation returns, a marker is sent to the same socket;
// socket.io keeps a socket's order, so a report event sent before it would
// have arrived first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Namespace } from 'socket.io';
import { io as connect, type Socket } from 'socket.io-client';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { grantStudyRead, revokeGrants } from '../../lib/grants';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, userRoom, type ReportChangedPayload } from '../../lib/realtime/events';
import { createReport } from '../../lib/reports/create-report';
import { makePreliminary } from '../../lib/reports/make-preliminary';
import { requestCosignature } from '../../lib/reports/request-cosignature';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { withoutArtifacts } from '../../lib/reports/signed-artifacts';
import { getRuntime } from '../../lib/runtime';
import { permitSharing } from '../support/consent';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'report events password';
type Heard = { reports: ReportChangedPayload[]; markers: number };

describe('report:changed reaches the report’s readers, through a grant too, and nobody else', () => {
  let server: TestServer;
  let facilityId: string;
  let templateId: string;
  const people: Record<string, Principal> = {};
  const sockets: Record<string, Socket> = {};
  const heard: Record<string, Heard> = {};

  async function person(name: string, memberships: { facilityId: string; role: 'EXPERT' | 'REFERRING' }[]) {
    const user = await createUser(server.node.db, { email: `${name}@events.example`, passwordHash: await hashPassword(PASSWORD), memberships });
    people[name] = { userId: user.id, email: user.email, ip: `10.7.0.${Object.keys(people).length + 1}` };
  }
  async function open(who: string): Promise<void> {
    const { token } = await createSession(server.node.db, { userId: people[who].userId, ttlHours: 1 });
    const socket = connect(`${server.url}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } });
    sockets[who] = socket;
    heard[who] = { reports: [], markers: 0 };
    socket.on(REALTIME_EVENTS.REPORT_CHANGED, (payload) => heard[who].reports.push(payload));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    // The marker: an event of the same namespace, sent by the test to this person's room
    socket.on(REALTIME_EVENTS.INSTANCES_STORED, (payload) => {
      if (payload.studyInstanceUid === 'marker') heard[who].markers += 1;
    });
  }
  /** Waits until every listed socket has its next marker: whatever was sent to it before has arrived */
  async function settle(...who: string[]): Promise<void> {
    const realtime = getRuntime().io!.of(REALTIME_NAMESPACE) as unknown as Namespace;
    const expected = Object.fromEntries(who.map((name) => [name, heard[name].markers + 1]));
    const arrived = who.map(
      (name) =>
        new Promise<void>((resolve) => {
          // Registered after the counting listener of open(): it runs once the marker is counted
          const onMarker = () => {
            if (heard[name].markers < expected[name]) return;
            sockets[name].off(REALTIME_EVENTS.INSTANCES_STORED, onMarker);
            resolve();
          };
          sockets[name].on(REALTIME_EVENTS.INSTANCES_STORED, onMarker);
        }),
    );
    for (const name of who) realtime.to(userRoom(people[name].userId)).emit(REALTIME_EVENTS.INSTANCES_STORED, { studyInstanceUid: 'marker', newInstances: 0, facilityId: '', patientName: '', patientId: '', studyDescription: '' });
    await Promise.all(arrived);
  }
  const reportIdsHeard = (who: string) => heard[who].reports.map((payload) => `${payload.reportId}:${payload.status}`);

  before(async () => {
    server = await startTestServer();
    const db = server.node.db;
    facilityId = (await db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
    const hill = (await createFacility(db, 'Hill Clinic')).id;
    await person('author', [{ facilityId, role: 'EXPERT' }]);
    await person('colleague', [{ facilityId, role: 'EXPERT' }]);
    await person('grantedExpert', [{ facilityId: hill, role: 'EXPERT' }]);
    await person('grantedReferrer', [{ facilityId: hill, role: 'REFERRING' }]);
    await person('revoked', [{ facilityId: hill, role: 'REFERRING' }]);
    await person('outsider', [{ facilityId: hill, role: 'EXPERT' }]);
    templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: 'CT chest', facilityId: null } })).id;
    for (const who of Object.keys(people)) await open(who);
  });
  after(async () => {
    for (const socket of Object.values(sockets)) socket.close();
    await server?.stop();
  });

  it('sends a release and a signature to the facility readers and the grant readers, not to outsiders or a revoked grantee', async () => {
    const db = server.node.db;
    const study = await createStudy(db, facilityId);
    await permitSharing(db, study.patientRef); // the patient agreed to share with the region's facilities
    for (const who of ['grantedExpert', 'grantedReferrer', 'revoked']) {
      await grantStudyRead(db, { grantee: { userId: people[who].userId }, study, purpose: 'TELECONSULTATION', grantedById: people.author.userId });
    }
    const revokedGrant = await db.accessGrant.findFirstOrThrow({ where: { granteeUserId: people.revoked.userId } });
    await revokeGrants(db, { ids: [revokedGrant.id] }, { revokedById: people.author.userId, reason: 'consultation ended' });

    const { report } = await createReport(getRuntime(), people.author, study.studyInstanceUid, { templateId });
    const saved = await saveDraft(getRuntime(), people.author, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Kein Infiltrat.' }] });
    const released = await makePreliminary(getRuntime(), people.author, report.id, { baseRevision: saved.revision });
    await signReport({ ...getRuntime(), produceSignedArtifacts: withoutArtifacts }, people.author, report.id, { baseRevision: released.revision, password: PASSWORD });
    await settle(...Object.keys(people));

    const both = [`${report.id}:PRELIMINARY`, `${report.id}:FINAL`];
    for (const who of ['author', 'colleague', 'grantedExpert', 'grantedReferrer']) assert.deepEqual(reportIdsHeard(who), both, who);
    for (const who of ['outsider', 'revoked']) assert.deepEqual(reportIdsHeard(who), [], who);
  });

  it('sends a co-signature request to the author and the colleague asked only', async () => {
    for (const who of Object.keys(heard)) heard[who].reports = [];
    const study = await createStudy(server.node.db, facilityId);
    await permitSharing(server.node.db, study.patientRef);
    await grantStudyRead(server.node.db, { grantee: { userId: people.grantedReferrer.userId }, study, purpose: 'TELECONSULTATION', grantedById: people.author.userId });
    const { report } = await createReport(getRuntime(), people.author, study.studyInstanceUid, { templateId });
    const saved = await saveDraft(getRuntime(), people.author, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'Erguss links.' }] });
    await requestCosignature(getRuntime(), people.author, report.id, { baseRevision: saved.revision, signerUserId: people.colleague.userId });
    await settle(...Object.keys(people));

    for (const who of ['author', 'colleague']) assert.deepEqual(reportIdsHeard(who), [`${report.id}:DRAFT`], who);
    for (const who of ['grantedExpert', 'grantedReferrer', 'revoked', 'outsider']) assert.deepEqual(reportIdsHeard(who), [], `${who}: a draft is not news for readers`);
  });
});
