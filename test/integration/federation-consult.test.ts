// A live teleconsultation with a participant from another node (issue 19), with two real node
// processes: the host at node B invites a colleague of a facility of node A; the colleague,
// signed in at A, opens the invitation there; A signs who they are and sends the browser to B,
// which lets them into that one consultation as "Name (Facility at node A)" — no password at B,
// reading that session's study and nothing else. A replayed entry, a used invitation and the
// plain guest door for a node's invitation are refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../lib/auth';
import { makeStudy } from '../support/fixtures';
import { startNodeProcess, type NodeProcess } from '../support/node-process';
import { expectJson as ok, stowInto } from '../support/federation-nodes';
import { until } from '../support/poll';
import { testDatabaseKind } from '../support/test-database';

describe('a teleconsultation at node B with a colleague of node A', { timeout: 600_000 }, () => {
  let a: NodeProcess;
  let b: NodeProcess;
  const consulted = makeStudy({ series: 1, instancesPerSeries: 2, patientId: 'B-LIVE-1', patientName: 'Live^Lena', modality: 'CT', rows: 64, columns: 64, seed: 'fed-consult' });
  const other = makeStudy({ series: 1, instancesPerSeries: 1, patientId: 'B-OTHER-1', patientName: 'Other^Otto', modality: 'CT', rows: 64, columns: 64, seed: 'fed-consult-other' });
  let consultationId = '';
  let joinUrl = '';
  let token = '';

  before(async () => {
    a = await startNodeProcess({ name: 'District hospital A', database: testDatabaseKind() });
    b = await startNodeProcess({ name: 'University hospital B', database: testDatabaseKind() === 'postgres' ? 'sqlite' : 'postgres' });
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('the host at B makes an invitation for a facility of A: its link is at A', async () => {
    const { code } = await ok<{ code: string }>(await a.api('POST', '/api/admin/node/federation/pairing-codes'), 201, 'code');
    await ok(await b.api('POST', '/api/admin/node/federation/peers', { code }), 201, 'pairing');
    const destination = await until('A’s facility at B', async () => (await ok<{ destinations: { facilityId: string; facility: string; node: string }[] }>(await b.api('GET', '/api/federation/destinations'), 200, 'destinations')).destinations[0]);
    await stowInto(b, [...consulted, ...other]);
    const study = await b.db.study.findFirstOrThrow({ where: { studyInstanceUid: consulted.studyInstanceUid }, select: { patientRef: true } });
    // Without the patient's consent naming A's facility, no invitation
    // A colleague of B's own facility is invited too (a consultation needs one); made in B's database, as an administrator's invitation would
    const facilityId = (await b.db.facility.findFirstOrThrow({ where: { nodePeerId: null }, orderBy: { createdAt: 'asc' }, select: { id: true } })).id;
    await b.db.user.create({ data: { email: 'colleague@b.test', name: 'Dr Colleague', passwordHash: await hashPassword('colleague password at B'), memberships: { create: { facilityId, role: 'EXPERT' } } } });
    const started = await ok<{ id: string }>(await b.api('POST', '/api/consultations', { studyInstanceUid: consulted.studyInstanceUid, invitees: ['colleague@b.test'], title: 'Lena, second look' }), 201, 'consultation');
    consultationId = started.id;
    const refused = await b.api('POST', `/api/consultations/${consultationId}/guest-links`, { facilityId: destination.facilityId });
    assert.equal(refused.status, 409, await refused.text());
    await ok(await b.api('POST', `/api/patients/${study.patientRef}/consents`, {
      decision: 'PERMIT',
      recipient: { kind: 'FACILITY', facilityId: destination.facilityId },
      purposes: ['TELECONSULTATION'],
      data: { scope: 'STUDIES', studyUids: [consulted.studyInstanceUid] },
      evidence: { kind: 'VERBAL', witnessName: 'Nurse Wanda Witness' },
    }), 201, 'consent');
    const link = await ok<{ joinUrl?: string; path: string }>(await b.api('POST', `/api/consultations/${consultationId}/guest-links`, { facilityId: destination.facilityId, hours: 2 }), 201, 'invitation');
    assert.ok(link.joinUrl?.startsWith(`${a.url}/federation/join?node=`), link.joinUrl);
    joinUrl = link.joinUrl!;
    token = link.path.split('/').pop()!;
    // The plain guest door does not take a node's invitation
    const plain = await fetch(`${b.url}/guest/${token}/join`, { method: 'POST', headers: { origin: b.url } });
    assert.equal(plain.status, 404);
  });

  it('the colleague opens it at A, signed in there, and arrives in B’s consultation under A’s word, reading only its study', async () => {
    const signedOut = await fetch(joinUrl, { redirect: 'manual' });
    assert.equal(signedOut.status, 303);
    assert.match(signedOut.headers.get('location') ?? '', /^\/sign-in\?next=/);

    const cookieAtA = await a.signIn('admin@node.test', 'correct horse battery staple');
    const atA = await fetch(joinUrl, { headers: { cookie: cookieAtA }, redirect: 'manual' });
    assert.equal(atA.status, 303, await atA.text());
    const entry = atA.headers.get('location') ?? '';
    assert.ok(entry.startsWith(`${b.url}/federation/v1/consult/enter?token=${token}&assertion=`), entry);

    const atB = await fetch(entry, { redirect: 'manual' });
    assert.equal(atB.status, 303, await atB.text());
    assert.equal(atB.headers.get('location'), `/consultations/${consultationId}`);
    const cookieAtB = (atB.headers.get('set-cookie') ?? '').split(';')[0];
    assert.ok(cookieAtB, 'a session at B');

    const page = await fetch(`${b.url}/consultations/${consultationId}`, { headers: { cookie: cookieAtB } });
    assert.equal(page.status, 200);
    const guest = await b.db.consultationParticipant.findFirstOrThrow({ where: { consultationId, role: 'GUEST' }, select: { user: { select: { name: true, guest: true } } } });
    assert.equal(guest.user.guest, true);
    assert.match(guest.user.name, /^Administrator \(.+ at District hospital A\)$/);

    const studies = await fetch(`${b.url}/dicomweb/studies`, { headers: { cookie: cookieAtB, accept: 'application/dicom+json' } });
    assert.equal(studies.status, 200);
    const uids = ((await studies.json()) as Record<string, { Value: string[] }>[]).map((row) => row['0020000D'].Value[0]);
    assert.deepEqual(uids, [consulted.studyInstanceUid], 'the session’s study, and nothing else of B');
    assert.ok(await a.db.auditEvent.findFirst({ where: { action: 'federation.consult_join' } }), 'A records where its user went');

    // The same entry again is a replay; a new assertion for the used invitation goes to the guest page's words
    const replay = await fetch(entry, { redirect: 'manual' });
    assert.equal(replay.status, 401);
    assert.equal(((await replay.json()) as { reason: string }).reason, 'REPLAYED');
    const again = await fetch(joinUrl, { headers: { cookie: cookieAtA }, redirect: 'manual' });
    const used = await fetch(again.headers.get('location') ?? '', { redirect: 'manual' });
    assert.equal(used.status, 303);
    assert.equal(used.headers.get('location'), `/guest/${token}`);
  });
});
