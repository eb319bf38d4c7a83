// Federated patient history (issue 19), with three real Telepacs processes on loopback —
// district A (SQLite), university B (PostgreSQL), regional R (the suite's database) — each
// started with REGION_PATIENT_ID_ISSUER=REGION, so a record whose images carry the region-wide
// ID (OtherPatientIDsSequence, issuer REGION) is linked to its person. B's patient page asks
// its paired nodes for the person's studies: it lists A's study the patient consented to share
// with B's facility, not the one without consent nor the one the patient denied; Retrieve
// brings it to B byte for byte; A audits the query; with R killed (or silent), A's listing still works
// and the page waits at most the 3 s timeout.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { NODE_ADMIN_EMAIL, NODE_ADMIN_PASSWORD, startNodeProcess, type NodeProcess } from '../support/node-process';
import { until } from '../support/poll';
import { expectJson as json, pairNodes as pair, peerAt, retrieveAll, stowInto, type NodeView, type PeerView } from '../support/federation-nodes';
import { DESKTOP, screenshot } from '../support/screens';
import { testDatabaseKind } from '../support/test-database';

const WAIT_MS = 60_000;
const REGION = 'REGION';
const REGION_ID = 'RP-19-0001';
interface StudyAtNode {
  studyInstanceUid: string;
  studyDate: string;
  modalities: string[];
  description: string;
  numberOfInstances: number;
  facility: { id: string; name: string };
  here: boolean;
  arrival: { status: string; done: number; total: number } | null;
}
interface NodeHistory {
  peerId: string;
  node: string;
  status: 'OK' | 'UNREACHABLE' | 'REFUSED';
  message: string | null;
  studies: StudyAtNode[];
}
interface HistoryAtNodes {
  regionPatientId: string;
  nodes: NodeHistory[];
}

async function consent(node: NodeProcess, patientRef: string, decision: 'PERMIT' | 'DENY', recipientFacilityId: string, studyUids: string[]): Promise<void> {
  const response = await node.api('POST', `/api/patients/${patientRef}/consents`, {
    decision,
    recipient: { kind: 'FACILITY', facilityId: recipientFacilityId },
    purposes: ['TRANSFER'],
    data: { scope: 'STUDIES', studyUids },
    evidence: { kind: 'VERBAL', witnessName: 'Nurse Wanda Witness', note: `${decision} for the university hospital.` },
  });
  assert.equal(response.status, 201, `consent: ${await response.text()}`);
}

describe('federated patient history between nodes on loopback', { timeout: 600_000 }, () => {
  let a: NodeProcess;
  let b: NodeProcess;
  let r: NodeProcess;
  let aAtB: PeerView;
  let bAtA: PeerView;
  let bRecord: string;
  const otherPatientIds = [{ patientId: REGION_ID, issuerOfPatientId: REGION }];
  const consented = makeStudy({ series: 2, instancesPerSeries: 6, patientId: 'A-HIST', patientName: 'History^Hanna', otherPatientIds, modality: 'CT', studyDate: '20260301', rows: 64, columns: 64, seed: 'hist-consented' });
  const unconsented = makeStudy({ series: 1, instancesPerSeries: 2, patientId: 'A-HIST', patientName: 'History^Hanna', otherPatientIds, modality: 'MR', studyDate: '20260201', rows: 32, columns: 32, seed: 'hist-unconsented' });
  const denied = makeStudy({ series: 1, instancesPerSeries: 2, patientId: 'A-HIST', patientName: 'History^Hanna', otherPatientIds, modality: 'CR', studyDate: '20260101', rows: 32, columns: 32, seed: 'hist-denied' });

  const historyAtB = async () => json<HistoryAtNodes>(await b.api('GET', `/api/patients/${bRecord}/other-nodes`), 200, 'history at other nodes');

  before(async () => {
    const env = { REGION_PATIENT_ID_ISSUER: REGION };
    // A first: it builds the portal if this checkout has no build yet; then B and R together
    a = await startNodeProcess({ name: 'District hospital A', database: 'sqlite', env });
    [b, r] = await Promise.all([
      startNodeProcess({ name: 'University hospital B', database: 'postgres', env }),
      startNodeProcess({ name: 'Regional node R', database: testDatabaseKind(), env }),
    ]);
    ({ atMaker: bAtA, atTaker: aAtB } = await pair(a, b));
    await pair(r, b);

    // The person at A: three studies; consent to TRANSFER to B's facility for one, a deny for another
    for (const study of [consented, unconsented, denied]) await stowInto(a, study);
    const aRecord = (await a.db.patient.findFirstOrThrow({ where: { patientId: 'A-HIST' }, select: { id: true } })).id;
    const bFacility = bAtA.facilities[0].id;
    await consent(a, aRecord, 'PERMIT', bFacility, [consented.studyInstanceUid, denied.studyInstanceUid]);
    await consent(a, aRecord, 'DENY', bFacility, [denied.studyInstanceUid]);
    // The same person at B, under B's own MRN, carrying the region-wide ID
    await stowInto(b, makeStudy({ series: 1, instancesPerSeries: 1, patientId: 'B-77', patientName: 'History^Hanna', otherPatientIds, modality: 'CR', rows: 32, columns: 32, seed: 'hist-b' }));
    bRecord = (await b.db.patient.findFirstOrThrow({ where: { patientId: 'B-77' }, select: { id: true } })).id;
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), r?.stop()]);
  });

  it('shows "At other nodes" on B’s patient page, and lists A’s consented study only, labelled by facility and node', async () => {
    const page = await b.api('GET', `/patients/${bRecord}`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /At other nodes/);

    const history = await historyAtB();
    assert.equal(history.regionPatientId, REGION_ID);
    const atA = history.nodes.find((node) => node.node === a.name);
    assert.ok(atA, 'A was asked');
    assert.equal(atA.status, 'OK', atA.message ?? '');
    assert.deepEqual(atA.studies.map((study) => study.studyInstanceUid), [consented.studyInstanceUid], 'neither the unconsented nor the denied study is listed');
    const [study] = atA.studies;
    assert.equal(study.numberOfInstances, 12);
    assert.deepEqual(study.modalities, ['CT']);
    assert.equal(study.studyDate, '20260301');
    const aHome = await a.db.facility.findFirstOrThrow({ where: { nodePeerId: null }, orderBy: { createdAt: 'asc' }, select: { name: true } });
    assert.equal(study.facility.name, aHome.name);
    assert.equal(study.here, false);
    // R holds nothing of the person: it answers, with nothing
    const atR = history.nodes.find((node) => node.node === r.name);
    assert.equal(atR?.status, 'OK');
    assert.deepEqual(atR?.studies, []);
  });

  it('audits the query at A (110112) for A’s facility: what was listed and withheld, by B’s person; nothing granted for a listing', async () => {
    const row = await until('the query in A’s audit', () => a.db.auditEvent.findFirst({ where: { action: 'federation.history_query', outcome: 'SUCCESS', patientId: 'A-HIST' }, orderBy: { at: 'desc' } }), 10_000);
    const details = JSON.parse(row.details) as { eventId: string; listed: number; withheld: number; denied: number; studies: string[]; peerName: string };
    assert.equal(details.eventId, '110112');
    assert.equal(details.listed, 1);
    // Withheld: the unconsented and the denied study, and the consent documents the two consents filed as studies of the record
    const heldAtA = await a.db.study.count({ where: { patient: { patientId: 'A-HIST' } } });
    assert.ok(heldAtA >= 3);
    assert.equal(details.withheld, heldAtA - 1);
    assert.equal(details.denied, 1);
    assert.deepEqual(details.studies, [consented.studyInstanceUid]);
    assert.equal(details.peerName, b.name);
    assert.match(row.actor, /Administrator \(.+ at University hospital B\)/);
    assert.equal(await a.db.accessGrant.count({ where: { purpose: 'FEDERATION' } }), 0, 'a listing creates no grant');
    // R, holding no record of the person, audits an empty answer
    assert.ok(await until('the empty query in R’s audit', () => r.db.auditEvent.findFirst({ where: { action: 'federation.history_query', facilityId: null } }), 10_000));
    // And B audits its asking, for its record's facility
    assert.ok(await b.db.auditEvent.findFirst({ where: { action: 'federation.history_ask', patientId: 'B-77' } }));
  });

  it('Retrieve brings the study to B’s facility byte for byte, with the arrival’s progress, and the listing then says it is here', async () => {
    const asked = await json<{ node: string; total: number }>(await b.api('POST', `/api/patients/${bRecord}/other-nodes/retrieve`, { peerId: aAtB.id, studyInstanceUid: consented.studyInstanceUid }), 202, 'retrieve');
    assert.equal(asked.node, a.name);
    assert.equal(asked.total, 12);
    const arrived = await until('the IN transfer at B to finish', async () => {
      const { transfers } = await json<{ transfers: { direction: string; status: string; done: number; total: number }[] }>(await b.api('GET', `/api/federation/transfers?study=${consented.studyInstanceUid}`), 200, 'transfers');
      const incoming = transfers.find((row) => row.direction === 'IN');
      return incoming?.status === 'DONE' ? incoming : undefined;
    });
    assert.equal(arrived.done, 12);
    const sent = await retrieveAll(a, consented.studyInstanceUid);
    const received = await retrieveAll(b, consented.studyInstanceUid);
    assert.equal(received.size, 12);
    assert.deepEqual([...received.entries()].sort(), [...sent.entries()].sort(), 'every instance at B is byte for byte what A holds');
    // A sent it on the consent, as B's person asked
    const send = await a.db.auditEvent.findFirstOrThrow({ where: { action: 'federation.send', studyUid: consented.studyInstanceUid, details: { contains: '"QUEUED"' } } });
    assert.match(send.details, /"legalBasis":"CONSENT"/);
    assert.match(send.actor, /at University hospital B/);
    const history = await historyAtB();
    assert.equal(history.nodes.find((node) => node.node === a.name)?.studies[0].here, true);
  });

  it('refuses to send a study the patient did not consent to (409, nothing sent, audited at A), and one it does not list', async () => {
    const refused = await b.api('POST', `/api/patients/${bRecord}/other-nodes/retrieve`, { peerId: aAtB.id, studyInstanceUid: unconsented.studyInstanceUid });
    const body = await json<{ message: string }>(refused, 409, 'unconsented retrieve');
    assert.match(body.message, /consent/);
    await until('the refused share in A’s audit', () => a.db.auditEvent.findFirst({ where: { action: 'consent.share_refused', studyUid: unconsented.studyInstanceUid } }), 10_000);
    assert.equal(await a.db.federatedTransfer.count({ where: { studyInstanceUid: unconsented.studyInstanceUid } }), 0);
    const deniedRetrieve = await b.api('POST', `/api/patients/${bRecord}/other-nodes/retrieve`, { peerId: aAtB.id, studyInstanceUid: denied.studyInstanceUid });
    assert.equal(deniedRetrieve.status, 409);
    assert.equal(await b.db.study.count({ where: { studyInstanceUid: { in: [unconsented.studyInstanceUid, denied.studyInstanceUid] } } }), 0);
  });

  it('in a browser: B’s page shows A’s studies by facility and node; a permit recorded at A since lists one more, and Retrieve brings it', { skip: existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}` }, async () => {
    const aRecord = (await a.db.patient.findFirstOrThrow({ where: { patientId: 'A-HIST' }, select: { id: true } })).id;
    await consent(a, aRecord, 'PERMIT', bAtA.facilities[0].id, [unconsented.studyInstanceUid]);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: DESKTOP });
      const [name, value] = (await b.signIn(NODE_ADMIN_EMAIL, NODE_ADMIN_PASSWORD)).split('=');
      await context.addCookies([{ name, value, url: b.url }]);
      const page = await context.newPage();
      await page.goto(`${b.url}/patients/${bRecord}`);
      const section = page.getByTestId('other-nodes');
      const list = section.getByRole('list', { name: `Studies at ${a.name}` });
      await list.getByRole('listitem').nth(1).waitFor();
      assert.equal(await list.getByRole('listitem').count(), 2);
      const retrieved = list.getByRole('listitem').filter({ hasText: /· CT ·/ });
      assert.match(await retrieved.innerText(), /\(District hospital A\)/);
      await retrieved.getByRole('link', { name: 'Here: open' }).waitFor();
      const fresh = list.getByRole('listitem').filter({ hasText: /· MR ·/ });
      await fresh.getByRole('button', { name: 'Retrieve' }).click();
      await fresh.getByRole('link', { name: 'Here: open' }).waitFor({ timeout: WAIT_MS });
      await screenshot(page, 'federated-history');
      assert.equal(await b.db.instance.count({ where: { series: { study: { studyInstanceUid: unconsented.studyInstanceUid } } } }), 2);
    } finally {
      await browser.close();
    }
  });

  it('with R down, B’s page still lists A’s study, says R is not reachable, and answers quickly', async () => {
    await r.kill();
    const started = Date.now();
    const history = await historyAtB();
    const elapsed = Date.now() - started;
    assert.ok(history.nodes.find((node) => node.node === a.name)?.studies.length, 'A’s listing still works');
    const atR = history.nodes.find((node) => node.node === r.name);
    assert.equal(atR?.status, 'UNREACHABLE');
    assert.ok(elapsed < 5_000, `the listing took ${elapsed} ms`);
    const audit = await b.db.auditEvent.findFirstOrThrow({ where: { action: 'federation.history_ask' }, orderBy: { at: 'desc' } });
    assert.match(audit.details, /"unreachable":\["Regional node R"\]/);

    // A node that accepts the connection and never answers: the page waits for it 3 s, no more
    const port = Number(new URL(r.url).port);
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(port, '127.0.0.1', resolve));
    try {
      const begun = Date.now();
      const hung = await historyAtB();
      const waited = Date.now() - begun;
      assert.equal(hung.nodes.find((node) => node.node === r.name)?.status, 'UNREACHABLE');
      assert.ok(hung.nodes.find((node) => node.node === a.name)?.studies.length, 'A’s listing still works');
      assert.ok(waited >= 2_500 && waited < 6_000, `a silent node held the listing ${waited} ms`);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
