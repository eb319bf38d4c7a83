// The consent routes (issue 16) on a running node (SQLite, or PostgreSQL with
// TEST_DATABASE=postgres), with a patient's real CT and MR ingested from DICOM
// fixtures at the district clinic and an expert of the regional hospital as
// the grantee reading over real DICOMweb HTTP and a real socket.io client: a
// case to another facility refused with 409 CONSENT_REQUIRED (audited for the
// data's owner, nothing stored); the consent recorded through
// POST /api/patients/{id}/consents, the case and a teleconsultation go
// through; POST /api/consents/{id}/revoke ends them: the expert's next QIDO
// and WADO read nothing and their open /consult socket closes within a
// second; bad input refused at its field with nothing half-stored; the patient
// view (GET /api/patients/{id}/consents) with its share history, 404 to an
// outsider (audited). Route handlers are called as functions (no Next build).
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { io as connect, type Socket } from 'socket.io-client';
import { POST as revokeRoute } from '../../app/api/consents/[id]/revoke/route';
import { GET as documentRoute } from '../../app/api/consents/[id]/document/route';
import { GET as consentsView, POST as recordRoute } from '../../app/api/patients/[id]/consents/route';
import { POST as createReferralRoute } from '../../app/api/referrals/route';
import { POST as transitionRoute } from '../../app/api/referrals/[id]/transitions/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { startConsultation } from '../../lib/consult/consultations';
import { createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { CONSULT_EVENTS, CONSULT_NAMESPACE } from '../../lib/realtime/events';
import { getRuntime, type Runtime } from '../../lib/runtime';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { createReferralCast, type ReferralCast } from '../support/referral-cast';
import { startTestServer, type TestServer } from '../support/test-server';

const PASSWORD = 'consent http test password';
const ct = makeStudy({ patientId: 'CONSENT-HTTP-1', patientName: 'Samtykke^Sara', accessionNumber: 'CH-1', modality: 'CT', series: 1, instancesPerSeries: 1, seed: 'consent-http-ct' });
const mr = makeStudy({ patientId: 'CONSENT-HTTP-1', patientName: 'Samtykke^Sara', accessionNumber: 'CH-2', modality: 'MR', studyDate: '20250101', series: 1, instancesPerSeries: 1, seed: 'consent-http-mr' });

type Json = Record<string, unknown>;

describe('consent over HTTP: refusal, record, revoke, bad input, the patient view', () => {
  let server: TestServer;
  let context: Runtime;
  let cast: ReferralCast;
  let p: ReferralCast['people'];
  let patientRef: string;
  let formId: string;
  const sockets: Socket[] = [];

  async function call(method: string, route: string, who: Principal, payload?: unknown): Promise<Request> {
    const url = new URL(route, server.url);
    const { token } = await createSession(context.db, { userId: who.userId, ttlHours: 1 });
    const headers: Record<string, string> = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}` };
    if (payload instanceof FormData) return new Request(url, { method, headers, body: payload });
    return new Request(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: payload === undefined ? undefined : JSON.stringify(payload) });
  }
  const params = (id: string) => ({ params: Promise.resolve({ id }) });
  const record = async (body: unknown, who: Principal = p.requester, ref = patientRef) => recordRoute(await call('POST', `/api/patients/${ref}/consents`, who, body), params(ref));
  const refer = async (uid: string) => createReferralRoute(await call('POST', '/api/referrals', p.requester, { studyInstanceUids: [uid], question: 'Subdural haematoma?', addressee: { serviceId: cast.services.neuro } }));

  const permitBody = (extra: Json = {}) => ({
    decision: 'PERMIT',
    recipient: { kind: 'FACILITY', facilityId: cast.facilities.regional },
    purposes: ['SECOND_OPINION', 'TELECONSULTATION'],
    data: { scope: 'ALL' },
    evidence: { kind: 'VERBAL', witnessName: 'Nurse Nina', note: 'Agreed at the bedside' },
    ...extra,
  });

  /** What expert A reads of the CT over DICOMweb: QIDO matches and the WADO metadata status */
  async function expertReads(): Promise<{ qido: number; wado: number }> {
    const authorization = basicAuthHeader(p.expertA.email, PASSWORD);
    const search = await fetch(`${server.dicomwebUrl}/studies?PatientID=CONSENT-HTTP-1`, { headers: { authorization } });
    const qido = search.status === 204 ? 0 : ((await search.json()) as unknown[]).length;
    const wado = (await fetch(`${server.dicomwebUrl}/studies/${ct.studyInstanceUid}/metadata`, { headers: { authorization } })).status;
    return { qido, wado };
  }

  /** An audit row, once the audit queue wrote it (refusals are recorded after the answer) */
  async function auditRow(where: { action: string; actorUserId: string }) {
    for (let attempt = 0; attempt < 50; attempt++) {
      await auditQueueFor(context).flush();
      const row = await context.db.auditEvent.findFirst({ where, orderBy: { at: 'desc' } });
      if (row) return row;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`no audit row ${JSON.stringify(where)}`);
  }

  /** Every blob under consents/ in the node's data directory */
  function consentBlobs(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (full.includes(`${path.sep}consents${path.sep}`)) found.push(full);
      }
    };
    walk(server.dataDir);
    return found;
  }

  before(async () => {
    server = await startTestServer();
    context = getRuntime();
    cast = await createReferralCast(context.db, { passwordHash: await hashPassword(PASSWORD) });
    p = cast.people;
    for (const file of [...ct, ...mr]) await server.node.archive.ingest(file, { kind: 'import', source: 'consent-http-test' }, cast.facilities.district);
    const study = await context.db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId: cast.facilities.district, studyInstanceUid: ct.studyInstanceUid } } });
    patientRef = study.patientRef;
    formId = (await context.db.consentForm.create({ data: { facilityId: cast.facilities.district, key: 'imaging-sharing', version: 1, language: 'en', title: 'Consent to share medical images', body: 'I agree that my images may be shared as named above.' } })).id;
  });
  after(async () => {
    for (const socket of sockets) socket.close();
    await auditQueueFor(context).flush(true);
    await server?.stop();
  });

  it('refuses a case to another facility without consent: 409 with what is missing, nothing stored, the attempt audited for the district', async () => {
    const response = await refer(ct.studyInstanceUid);
    assert.equal(response.status, 409);
    const body = (await response.json()) as Json;
    assert.equal(body.error, 'CONSENT_REQUIRED');
    assert.equal(body.message, "Sharing this patient's images for second opinion by Neuroradiology, Regional Hospital needs the patient's consent. Nothing was shared: record the consent now, or use the emergency override.");
    assert.deepEqual(body.consent, { patientRef, purpose: 'SECOND_OPINION', recipient: 'Neuroradiology, Regional Hospital', denied: false });
    assert.equal(await context.db.referral.count({ where: { patientRef } }), 0);
    assert.equal(await context.db.accessGrant.count({ where: { study: { patientRef } } }), 0);
    const audit = await auditRow({ action: 'consent.share_refused', actorUserId: p.requester.userId });
    assert.deepEqual([audit.outcome, audit.facilityId, audit.patientId, audit.studyUid], ['DENIED', cast.facilities.district, 'CONSENT-HTTP-1', ct.studyInstanceUid]);
    assert.deepEqual(await expertReads(), { qido: 0, wado: 404 });
  });

  it('refuses bad input at its field and stores nothing: unknown patient, a period ending before it starts, an empty signature, a scan that is no PDF/JPEG, an unknown facility', async () => {
    const consentsBefore = await context.db.consent.count();
    const blobsBefore = consentBlobs();
    const unknown = await record(permitBody(), p.requester, 'no-such-patient');
    assert.equal(unknown.status, 404);

    const backwards = await record(permitBody({ validFrom: '2026-12-10T00:00:00Z', validUntil: '2026-12-01T00:00:00Z' }));
    assert.equal(backwards.status, 400);
    assert.ok(((await backwards.json()) as { fields: Json }).fields.validUntil);
    // Without a start the period starts now: an end in the past ends before it starts
    const past = await record(permitBody({ validUntil: new Date(Date.now() - 3600_000).toISOString() }));
    assert.equal(past.status, 400);
    assert.ok(((await past.json()) as { fields: Json }).fields.validUntil);

    const blank = (await sharp({ create: { width: 600, height: 200, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer()).toString('base64');
    for (const signature of [`data:image/png;base64,${blank}`, '']) {
      const unsigned = await record(permitBody({ evidence: { kind: 'SIGNED', formId, signature, signerName: 'Sara Samtykke', witnessName: 'Nurse Nina' } }));
      assert.equal(unsigned.status, 400, `signature ${signature.slice(0, 30)}`);
      assert.ok(((await unsigned.json()) as { fields: Json }).fields.signature, `fields.signature for ${signature ? 'a blank canvas' : 'no image'}`);
    }

    const form = new FormData();
    form.set('consent', JSON.stringify(permitBody({ evidence: { kind: 'SCANNED', signerName: 'Sara Samtykke' } })));
    form.set('scan', new File([Buffer.from('GIF89a not a consent form')], 'form.gif', { type: 'image/gif' }));
    const scan = await record(form);
    assert.equal(scan.status, 400);
    assert.ok(((await scan.json()) as { fields: Json }).fields.scan);

    const nowhere = await record(permitBody({ recipient: { kind: 'FACILITY', facilityId: 'no-such-facility' } }));
    assert.equal(nowhere.status, 400);
    assert.ok(((await nowhere.json()) as { fields: Json }).fields.recipient);

    assert.equal(await context.db.consent.count(), consentsBefore, 'no consent row');
    assert.deepEqual(consentBlobs(), blobsBefore, 'no blob under consents/');
  });

  it('records the consent; the case and a teleconsultation go through; revoking ends them: next QIDO/WADO read nothing, the open socket closes within a second', async () => {
    const recorded = await record(permitBody());
    assert.equal(recorded.status, 201);
    const { id: consentId } = (await recorded.json()) as { id: string };
    assert.equal((await context.db.consent.findUniqueOrThrow({ where: { id: consentId } })).evidenceKind, 'VERBAL');
    assert.equal((await documentRoute(await call('GET', `/api/consents/${consentId}/document`, p.requester), params(consentId))).headers.get('content-type'), 'application/pdf');

    const created = await refer(ct.studyInstanceUid);
    assert.equal(created.status, 201);
    const { id: referralId } = (await created.json()) as { id: string };
    const claimed = await transitionRoute(await call('POST', `/api/referrals/${referralId}/transitions`, p.expertA, { action: 'claim' }), params(referralId));
    assert.equal(claimed.status, 200);
    assert.deepEqual(await expertReads(), { qido: 1, wado: 200 }, 'the expert reads the case\'s CT, not the MR');

    const consultation = await startConsultation({ db: context.db }, p.requester, { studyInstanceUid: ct.studyInstanceUid, invitees: [p.expertA.email], title: 'Sara’s CT' });
    const { token } = await createSession(context.db, { userId: p.expertA.userId, ttlHours: 1 });
    const socket = connect(`${server.url}${CONSULT_NAMESPACE}`, { transports: ['websocket'], reconnection: false, extraHeaders: { cookie: `${SESSION_COOKIE_NAME}=${token}` } });
    sockets.push(socket);
    const joined = await new Promise<{ ok: boolean }>((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.once('connect', () => socket.emit(CONSULT_EVENTS.JOIN, { consultationId: consultation.id }, resolve));
    });
    assert.equal(joined.ok, true);
    const disconnected = new Promise<number>((resolve) => socket.once('disconnect', () => resolve(Date.now())));

    const revocation = await call('POST', `/api/consents/${consentId}/revoke`, p.requester, { reason: 'The patient withdrew her consent' });
    const started = Date.now();
    const revoked = await revokeRoute(revocation, params(consentId));
    assert.equal(revoked.status, 200);
    const answer = (await revoked.json()) as { status: string; grantsEnded: number; socketsClosed: number };
    assert.equal(answer.status, 'inactive');
    // The service's grant ended when the expert claimed the case: the expert's case and teleconsultation grants remain to end
    assert.equal(answer.grantsEnded, 2);
    assert.deepEqual(await context.db.accessGrant.findMany({ where: { study: { patientRef }, revokedAt: null, legalBasis: 'CONSENT' } }), []);
    assert.ok(answer.socketsClosed >= 1);
    const closedAfter = (await disconnected) - started;
    process.stdout.write(`# socket closed ${closedAfter} ms after the revocation began\n`);
    assert.ok(closedAfter < 1000, `the socket closed ${closedAfter} ms after the revocation began`);
    assert.deepEqual(await expertReads(), { qido: 0, wado: 404 });
    const again = await revokeRoute(await call('POST', `/api/consents/${consentId}/revoke`, p.requester, { reason: 'twice' }), params(consentId));
    assert.equal(again.status, 409);
    const outsider = await revokeRoute(await call('POST', `/api/consents/${consentId}/revoke`, p.expertA, { reason: 'not theirs' }), params(consentId));
    assert.equal(outsider.status, 404);
  });

  it('shows the patient\'s consents and the history of every share with its basis; 404 to an outsider, audited', async () => {
    const deny = await record({ ...permitBody({ decision: 'DENY', recipient: { kind: 'REGION' }, purposes: ['RESEARCH'] }) });
    assert.equal(deny.status, 201);
    const response = await consentsView(await call('GET', `/api/patients/${patientRef}/consents`, p.requester), params(patientRef));
    assert.equal(response.status, 200);
    const view = (await response.json()) as {
      summary: { activePermits: number; activeDenies: number };
      consents: { decision: string; state: string; evidence: string; witnessName: string; revokeReason: string }[];
      shares: { grantee: string; purpose: string; legalBasis: string; basis: string; active: boolean; consentId: string; revokeReason: string; study: { studyInstanceUid: string } }[];
    };
    assert.deepEqual(view.summary, { activePermits: 0, activeDenies: 1 });
    assert.deepEqual(view.consents.map((row) => [row.decision, row.state, row.evidence]), [['DENY', 'ACTIVE', 'VERBAL'], ['PERMIT', 'REVOKED', 'VERBAL']]);
    assert.equal(view.consents[1].revokeReason, 'The patient withdrew her consent');
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(
      view.shares.map((share) => [share.grantee, share.purpose, share.legalBasis, share.active, share.study.studyInstanceUid]).sort(),
      [
        ['Dr ExpertA', 'SECOND_OPINION', 'CONSENT', false, ct.studyInstanceUid],
        ['Dr ExpertA', 'TELECONSULTATION', 'CONSENT', false, ct.studyInstanceUid],
        ['Neuroradiology, Regional Hospital', 'SECOND_OPINION', 'CONSENT', false, ct.studyInstanceUid],
      ],
      'every share beyond the district (not the host\'s own grant)',
    );
    for (const share of view.shares) assert.equal(share.basis, `Consent recorded ${today} (verbal), now revoked`);

    const outsider = await consentsView(await call('GET', `/api/patients/${patientRef}/consents`, p.stranger), params(patientRef));
    assert.equal(outsider.status, 404);
    const audit = await auditRow({ action: 'consent.view', actorUserId: p.stranger.userId });
    assert.deepEqual([audit.outcome, audit.facilityId], ['DENIED', cast.facilities.district]);
    // A newcomer of the district reads the view: membership of the record's facility is enough
    const nurse = await createUser(context.db, { email: 'nurse@district.example', memberships: [{ facilityId: cast.facilities.district, role: 'REFERRING' }] });
    assert.equal((await consentsView(await call('GET', `/api/patients/${patientRef}/consents`, { userId: nurse.id, email: nurse.email, ip: '10.16.0.20' }), params(patientRef))).status, 200);
  });
});
