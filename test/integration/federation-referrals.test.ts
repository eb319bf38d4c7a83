// Second-opinion cases between nodes (issue 19), with two real Telepacs processes on loopback —
// district A and regional R, each with its own database (one SQLite, one PostgreSQL: they swap
// with TEST_DATABASE) and store, talking only through their HTTP APIs. A's referring doctor
// addresses a case to R's neuroradiology service: without the patient's permit nothing
// leaves A; with it, the case is in R's inbox at once and its study and the referral letter
// follow (byte for byte);
// R's expert claims it and asks, A's doctor answers, both write on the thread; R's expert signs
// the report and A's case completes with it — the same signed PDF and DICOM objects (SR,
// Encapsulated PDF) stored in A's archive; A closes it and R's case closes too. A change a node
// may not tell is refused (403) and audited.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadNodeIdentity } from '../../lib/federation/node-identity';
import { signNodeRequest } from '../../lib/federation/signed-request';
import { makeStudy } from '../support/fixtures';
import { startNodeProcess, type NodeProcess } from '../support/node-process';
import { until as pollUntil } from '../support/poll';
import { MEMBER_PASSWORD, asUser, differing, expectJson as json, homeFacilityId, member, pairNodes, permitTransfer, retrieveAll, serviceWith, stowInto, type PeerView } from '../support/federation-nodes';
import { testDatabaseKind } from '../support/test-database';
import { makePdf } from '../support/pdf';

const WAIT_MS = 60_000;
const until = <T,>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = WAIT_MS): Promise<T> => pollUntil(what, probe, timeoutMs);


const sha256 = (bytes: Buffer | ArrayBuffer) => createHash('sha256').update(Buffer.from(bytes as ArrayBuffer)).digest('hex');

interface CaseView {
  id: string;
  status: string;
  requester: { name: string; facilityName: string };
  addressee: { name: string; facilityName: string };
  owner: { name: string } | null;
  node: { name: string; direction: string; delivered: boolean } | null;
  studies: { studyInstanceUid: string; available: boolean; arriving: string | null }[];
  report: { id: string; status: string } | null;
  messages: { kind: string; body: string; author: { name: string } }[];
  events: { action: string }[];
  attachments: { id: string; fileName: string; size: number }[];
}

describe('second-opinion cases between two nodes on loopback', { timeout: 600_000 }, () => {
  let a: NodeProcess;
  let r: NodeProcess;
  let doctor: { cookie: string; userId: string };
  let expert: { cookie: string; userId: string };
  let neuroAtA: string;
  let rAtA: PeerView;
  let caseAtA: string;
  let caseAtR: string;
  const study = makeStudy({ series: 2, instancesPerSeries: 12, patientId: 'A-SECOND-1', patientName: 'Opinion^Olga', modality: 'MR', rows: 64, columns: 64, seed: 'fed-referral-mr' });

  before(async () => {
    const kind = testDatabaseKind();
    a = await startNodeProcess({ name: 'District hospital A', database: kind });
    r = await startNodeProcess({ name: 'Regional node R', database: kind === 'postgres' ? 'sqlite' : 'postgres' });
    // R's neuroradiology service and its expert, through R's administration API, before pairing (A mirrors R's services then)
    expert = await member(r, 'neurorad@r.test', 'Dr Nora Neuro', 'EXPERT');
    await serviceWith(r, 'Neuroradiology', [expert.userId]);
    doctor = await member(a, 'gp@a.test', 'Dr Rhea Referrer', 'REFERRING');
    await stowInto(a, study);
    rAtA = (await pairNodes(a, r)).atMaker;
    await until('R’s services at A', async () => (await a.db.service.count({ where: { remoteId: { not: null } } })) > 0);
  });
  after(async () => {
    await Promise.all([a?.stop(), r?.stop()]);
  });

  it('offers R’s service in A’s case form, named with R; without the patient’s permit the case is refused and nothing leaves A', async () => {
    const choices = await json<{ services: { id: string; name: string; facilityName: string }[] }>(await asUser(a, doctor.cookie)('GET', '/api/referrals/addressees'), 200, 'addressees');
    const neuro = choices.services.find((service) => service.name === 'Neuroradiology');
    assert.ok(neuro, 'A offers R’s service');
    assert.match(neuro.facilityName, /\(Regional node R\)$/);
    neuroAtA = neuro.id;
    const refused = await asUser(a, doctor.cookie)('POST', '/api/referrals', { studyInstanceUids: [study.studyInstanceUid], question: 'Demyelination?', addressee: { serviceId: neuroAtA } });
    const body = await json<{ error: string }>(refused, 409, 'unconsented case');
    assert.equal(body.error, 'CONSENT_REQUIRED');
    assert.equal(await a.db.referral.count(), 0);
    assert.equal(await a.db.job.count({ where: { type: { in: ['federation.forward-referral', 'federation.send-study'] } } }), 0, 'nothing queued to leave A');
    assert.equal(await r.db.referral.count(), 0);
  });

  it('delivers the consented case to R’s inbox at once; its study follows, byte for byte; each side names the other’s people with their node', async () => {
    await permitTransfer(a, study.studyInstanceUid, rAtA.facilities[0].id, ['SECOND_OPINION']);
    const sent = await json<{ id: string; status: string }>(await asUser(a, doctor.cookie)('POST', '/api/referrals', {
      studyInstanceUids: [study.studyInstanceUid],
      question: 'Demyelinating lesions? Please compare with the criteria.',
      history: 'Optic neuritis 2 months ago.',
      priority: 'URGENT',
      addressee: { serviceId: neuroAtA },
    }), 201, 'case sent at A');
    caseAtA = sent.id;
    assert.equal(sent.status, 'REQUESTED');
    // The referral letter, attached to the case as the form does right after sending it
    const pdf = await makePdf('Optic neuritis, left, two months ago. MR attached.', 'Referral letter');
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), 'referral-letter.pdf');
    await json(await fetch(`${a.url}/api/referrals/${caseAtA}/attachments`, { method: 'POST', headers: { cookie: doctor.cookie, origin: a.url }, body: form }), 201, 'letter attached at A');
    const received = await until('the case in R’s inbox', async () => {
      const inbox = await json<{ rows: { id: string; status: string }[] }>(await asUser(r, expert.cookie)('GET', '/api/referrals?box=inbox'), 200, 'inbox at R');
      return inbox.rows[0];
    });
    caseAtR = received.id;
    assert.equal(received.status, 'REQUESTED');
    const atR = await until('the study at R', async () => {
      const view = await json<CaseView>(await asUser(r, expert.cookie)('GET', `/api/referrals/${caseAtR}`), 200, 'case at R');
      return view.studies.every((row) => row.available) ? view : undefined;
    });
    assert.match(atR.requester.name, /^Dr Rhea Referrer \(.+ at District hospital A\)$/);
    // The letter too, byte for byte, opened by R's expert
    const withLetter = await until('the letter at R', async () => {
      const view = await json<CaseView>(await asUser(r, expert.cookie)('GET', `/api/referrals/${caseAtR}`), 200, 'case at R');
      return view.attachments.length === 1 ? view : undefined;
    });
    assert.equal(withLetter.attachments[0].fileName, 'referral-letter.pdf');
    const opened = await asUser(r, expert.cookie)('GET', `/api/referrals/${caseAtR}/attachments/${withLetter.attachments[0].id}`);
    assert.equal(opened.status, 200);
    assert.equal(sha256(await opened.arrayBuffer()), sha256(pdf), 'R opens the letter A attached');
    assert.deepEqual(atR.node, { name: 'District hospital A', direction: 'RECEIVED', delivered: true });
    await until('every image at R', async () => (await r.db.federatedTransfer.count({ where: { direction: 'IN', sourceType: 'referral', status: 'DONE' } })) === 1);
    // The study's images (A files the letter into its own archive too, as a DOC series of the study: whether that copy was
    // there yet when the transfer took its inventory is a race; R has the letter as the case's attachment either way)
    const images = new Set(study.sopInstanceUids.flat());
    const only = (hashes: Map<string, string>) => new Map([...hashes].filter(([uid]) => images.has(uid)));
    const [atAImages, atRImages] = [only(await retrieveAll(a, study.studyInstanceUid)), only(await retrieveAll(r, study.studyInstanceUid))];
    assert.equal(atRImages.size, 24);
    assert.deepEqual(differing(atAImages, atRImages), [], 'R holds every image of A’s study, byte for byte');
    const atA = await json<CaseView>(await asUser(a, doctor.cookie)('GET', `/api/referrals/${caseAtA}`), 200, 'case at A');
    assert.deepEqual(atA.node, { name: 'Regional node R', direction: 'SENT', delivered: true });
    assert.match(atA.addressee.facilityName, /\(Regional node R\)$/);
    // R's audit, for R's facility: the case's sending and the images' arrival
    const audit = await r.db.auditEvent.findMany({ where: { resource: `referral:${caseAtR}` }, select: { action: true, facilityId: true } });
    assert.ok(audit.some((row) => row.action === 'referral.send'), 'the case’s arrival is audited at R');
    assert.ok(audit.every((row) => row.facilityId === (atR as unknown as { addressee: { facilityId: string } }).addressee.facilityId), 'in R’s facility that holds the copies');
  });

  it('R’s claim and question reach A; A’s answer and both sides’ notes reach the other', async () => {
    const atR = asUser(r, expert.cookie);
    await json(await atR('POST', `/api/referrals/${caseAtR}/transitions`, { action: 'claim' }), 200, 'claim at R');
    await json(await atR('POST', `/api/referrals/${caseAtR}/transitions`, { action: 'ask', message: 'Is there a spinal MR?' }), 200, 'ask at R');
    const asked = await until('the question at A', async () => {
      const view = await json<CaseView>(await asUser(a, doctor.cookie)('GET', `/api/referrals/${caseAtA}`), 200, 'case at A');
      return view.status === 'ON_HOLD' ? view : undefined;
    });
    assert.match(asked.owner?.name ?? '', /^Dr Nora Neuro \(.+ at Regional node R\)$/);
    assert.deepEqual(asked.messages.map((message) => [message.kind, message.body]), [['QUESTION', 'Is there a spinal MR?']]);
    await json(await asUser(a, doctor.cookie)('POST', `/api/referrals/${caseAtA}/transitions`, { action: 'answer', message: 'No spinal MR yet.' }), 200, 'answer at A');
    await json(await asUser(a, doctor.cookie)('POST', `/api/referrals/${caseAtA}/messages`, { body: 'The patient is seen again on Friday.' }), 201, 'note at A');
    const answered = await until('the answer and the note at R', async () => {
      const view = await json<CaseView>(await atR('GET', `/api/referrals/${caseAtR}`), 200, 'case at R');
      return view.status === 'IN_PROGRESS' && view.messages.length === 3 ? view : undefined;
    });
    assert.deepEqual(answered.messages.map((message) => message.kind), ['QUESTION', 'ANSWER', 'NOTE']);
    assert.match(answered.messages[2].author.name, /^Dr Rhea Referrer \(/);
  });

  it('R’s signed report completes A’s case: the same signed PDF, and its SR and Encapsulated PDF in A’s archive', async () => {
    const atR = asUser(r, expert.cookie);
    const rHome = await homeFacilityId(r);
    const { templates } = await json<{ templates: { id: string }[] }>(await atR('GET', `/api/facilities/${rHome}/report-templates`), 200, 'templates');
    const created = await json<{ report: { id: string; revision: number } }>(await atR('POST', `/api/studies/${study.studyInstanceUid}/reports`, { templateId: templates[0].id, referralId: caseAtR }), 201, 'case report at R');
    const saved = await json<{ id: string; revision: number }>(await atR('PUT', `/api/reports/${created.report.id}`, { baseRevision: created.report.revision, sections: [{ key: 'impression', text: 'Two periventricular lesions; dissemination in space not met.' }] }), 200, 'draft');
    await json(await atR('POST', `/api/reports/${saved.id}/sign`, { baseRevision: saved.revision, password: MEMBER_PASSWORD }), 200, 'signed at R');

    const done = await until('A’s case completed', async () => {
      const view = await json<CaseView>(await asUser(a, doctor.cookie)('GET', `/api/referrals/${caseAtA}`), 200, 'case at A');
      return view.status === 'COMPLETED' ? view : undefined;
    });
    assert.equal(done.report?.status, 'FINAL');
    const pdfAt = async (node: NodeProcess, cookie: string, reportId: string) => {
      const response = await asUser(node, cookie)('GET', `/api/reports/${reportId}/pdf`);
      assert.equal(response.status, 200, `PDF at ${node.name}`);
      return createHash('sha256').update(Buffer.from(await response.arrayBuffer())).digest('hex');
    };
    assert.equal(await pdfAt(a, doctor.cookie, done.report!.id), await pdfAt(r, expert.cookie, saved.id), 'A serves the PDF R signed');
    const series = await json<Record<string, { Value?: unknown[] }>[]>(await fetch(`${a.url}/dicomweb/studies/${study.studyInstanceUid}/series`, { headers: { authorization: a.adminAuthorization, accept: 'application/dicom+json' } }), 200, 'series at A');
    const described = series.map((row) => `${String(row['00080060']?.Value?.[0] ?? '')} ${String(row['0008103E']?.Value?.[0] ?? '')}`.trim()).sort();
    // The study's two MR series, the letter A filed, and the report's PDF and SR from R
    assert.deepEqual(described.filter((words) => /^(DOC Report|SR)/.test(words)), ['DOC Report (PDF)', 'SR Report']);
    assert.equal(described.filter((words) => words.startsWith('MR')).length, 2);
  });

  it('A closes the case and R’s closes too; a change R may not tell is refused and audited at A', async () => {
    await json(await asUser(a, doctor.cookie)('POST', `/api/referrals/${caseAtA}/transitions`, { action: 'close' }), 200, 'close at A');
    await until('R’s case closed', async () => (await r.db.referral.findUniqueOrThrow({ where: { id: caseAtR } })).status === 'CLOSED');

    // R tells A a cancel (the requester's side's change): refused
    const aNodeId = (await json<{ node: { nodeId: string } }>(await a.api('GET', '/api/admin/node/federation'), 200, 'A')).node.nodeId;
    const path = `/federation/v1/referrals/${caseAtA}/changes`;
    const body = JSON.stringify({ changeId: 'forged-cancel-1', change: 'cancel', at: new Date().toISOString() });
    const actor = { id: expert.userId, name: 'Dr Nora Neuro', email: 'neurorad@r.test', facility: { id: await homeFacilityId(r), name: 'R', code: 'R' } };
    const authorization = await signNodeRequest({ identity: loadNodeIdentity(r.dataDir), audience: aNodeId, method: 'POST', path, body: Buffer.from(body), actor });
    const refused = await fetch(`${a.url}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
    assert.equal(refused.status, 403, await refused.text());
    assert.equal((await a.db.referral.findUniqueOrThrow({ where: { id: caseAtA } })).status, 'CLOSED');
    assert.ok(await a.db.auditEvent.count({ where: { action: 'federation.refused', resource: { contains: '/referrals/' } } }), 'the refusal is in A’s audit');
  });
});
