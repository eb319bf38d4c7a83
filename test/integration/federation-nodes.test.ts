// Telediagnostics between nodes (issue 19), with three real Telepacs processes on loopback —
// district A (SQLite), university B (PostgreSQL) and regional R (the suite's database) —
// each with its own store and database, talking only through their HTTP APIs:
// pairing by code, a consented study transfer A→B verified byte for byte, a transfer
// interrupted by killing B that completes after B restarts with no duplicate, an
// unconsented transfer refused at A, and the refusals of the node-to-node API (unsigned,
// tampered, replayed, unpaired, suspended), each audited at the refusing node.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadNodeIdentity } from '../../lib/federation/node-identity';
import { signNodeRequest } from '../../lib/federation/signed-request';
import { BATCH_INSTANCES, IN_FLIGHT } from '../../lib/federation/transfers/send-study-job';
import { makeStudy } from '../support/fixtures';
import { startNodeProcess, type NodeProcess } from '../support/node-process';
import { differing, expectJson as json, homeFacilityId, pairNodes, peerAt, permitTransfer, retrieveAll, stowInto, type NodeView, type PeerView } from '../support/federation-nodes';

const WAIT_MS = 60_000;
import { until } from '../support/poll';
import { stowBody } from '../support/stow';
import { testDatabaseKind } from '../support/test-database';

interface TransferView {
  id: string;
  status: string;
  total: number;
  done: number;
  skipped: number;
  progress: string;
  lastError: string | null;
}

describe('telediagnostics between three nodes on loopback', { timeout: 600_000 }, () => {
  let a: NodeProcess;
  let b: NodeProcess;
  let r: NodeProcess;
  let aAtB: PeerView;
  let bAtA: PeerView;

  before(async () => {
    // A first: it builds the portal if this checkout has no build yet; then B and R together
    a = await startNodeProcess({ name: 'District hospital A', database: 'sqlite' });
    [b, r] = await Promise.all([
      startNodeProcess({ name: 'University hospital B', database: 'postgres' }),
      startNodeProcess({ name: 'Regional node R', database: testDatabaseKind() }),
    ]);
  });
  after(async () => {
    await Promise.all([a?.stop(), b?.stop(), r?.stop()]);
  });

  it('pairs A and B by a code: both list the other as active with the same fingerprints, and mirror its facilities', async () => {
    const self = await json<NodeView>(await a.api('GET', '/api/admin/node/federation'), 200, 'A');
    const paired = await pairNodes(a, b);
    bAtA = paired.atMaker;
    aAtB = paired.atTaker;
    assert.equal(aAtB.status, 'ACTIVE');
    assert.equal(bAtA.status, 'ACTIVE');
    // What the two administrators read to each other
    assert.equal(aAtB.fingerprint, self.node.fingerprint);
    const bSelf = await json<NodeView>(await b.api('GET', '/api/admin/node/federation'), 200, 'B');
    assert.equal(bAtA.fingerprint, bSelf.node.fingerprint);
    assert.match(bAtA.fingerprint, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    // The facilities arrive by the sync job on each side
    bAtA = await until('B’s facilities at A', async () => {
      const peer = await peerAt(a, b.name);
      return peer && peer.facilities.length > 0 ? peer : undefined;
    });
    aAtB = await until('A’s facilities at B', async () => {
      const peer = await peerAt(b, a.name);
      return peer && peer.facilities.length > 0 ? peer : undefined;
    });
    assert.equal(bAtA.facilities[0].remoteId, await homeFacilityId(b));
  });

  it('refuses a used code, a code whose fingerprint is not the node’s, and a damaged code; nothing is paired', async () => {
    const { code } = await json<{ code: string }>(await r.api('POST', '/api/admin/node/federation/pairing-codes'), 201, 'code');
    const content = JSON.parse(Buffer.from(code.slice(5), 'base64url').toString()) as { f: string };
    const forged = `TPN1.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(code.slice(5), 'base64url').toString()), f: content.f.replace(/^./, content.f[0] === 'A' ? 'B' : 'A') })).toString('base64url')}`;
    const mismatch = await b.api('POST', '/api/admin/node/federation/peers', { code: forged });
    assert.equal(mismatch.status, 409);
    assert.match(((await mismatch.json()) as { message: string }).message, /not the node the code was made on/);
    const damaged = await b.api('POST', '/api/admin/node/federation/peers', { code: 'TPN1.not-a-code' });
    assert.equal(damaged.status, 400);
    assert.ok(((await damaged.json()) as { fields?: { code?: string } }).fields?.code);
    // The A–B code again: A refuses it (used), B says so
    const first = await json<{ code: string }>(await a.api('POST', '/api/admin/node/federation/pairing-codes'), 201, 'code');
    await json(await r.api('POST', '/api/admin/node/federation/peers', { code: first.code }), 201, 'R pairs with A');
    const reused = await b.api('POST', '/api/admin/node/federation/peers', { code: first.code });
    assert.equal(reused.status, 502);
    assert.match(((await reused.json()) as { message: string }).message, /refused the code/);
    assert.equal(await peerAt(b, r.name), undefined, 'B is not paired with R');
  });

  it('refuses an unconsented transfer at A: 409 CONSENT_REQUIRED, nothing leaves, the refusal is in A’s audit', async () => {
    const study = makeStudy({ series: 1, instancesPerSeries: 3, patientId: 'A-NOCONSENT', patientName: 'Nocon^Sent', modality: 'CT', rows: 64, columns: 64, seed: 'fed-noconsent' });
    await stowInto(a, study);
    const response = await a.api('POST', '/api/federation/transfers', { studyInstanceUid: study.studyInstanceUid, facilityId: bAtA.facilities[0].id });
    const body = await json<{ error: string }>(response, 409, 'unconsented');
    assert.equal(body.error, 'CONSENT_REQUIRED');
    assert.equal(await a.db.federatedTransfer.count(), 0);
    // A study the acting facility does not hold: 404, as for one that does not exist
    assert.equal((await a.api('POST', '/api/federation/transfers', { studyInstanceUid: '1.2.826.0.1.999.1', facilityId: bAtA.facilities[0].id })).status, 404);
    assert.equal(await b.db.study.count({ where: { studyInstanceUid: study.studyInstanceUid } }), 0);
    await until('the refused share in A’s audit', () => a.db.auditEvent.findFirst({ where: { action: 'consent.share_refused', studyUid: study.studyInstanceUid } }), 10_000);
  });

  it('sends a consented study A→B by DICOMweb: progress to DONE, every instance byte for byte, audited at both ends', async () => {
    const study = makeStudy({ series: 2, instancesPerSeries: 10, patientId: 'A-0001', patientName: 'Transfer^Tess', modality: 'CT', rows: 128, columns: 128, seed: 'fed-consented' });
    await stowInto(a, study);
    const destination = bAtA.facilities[0];
    await permitTransfer(a, study.studyInstanceUid, destination.id);
    const created = await json<TransferView>(await a.api('POST', '/api/federation/transfers', { studyInstanceUid: study.studyInstanceUid, facilityId: destination.id }), 201, 'transfer');
    assert.equal(created.total, 20);
    const done = await until('the transfer to finish', async () => {
      const view = await json<TransferView>(await a.api('GET', `/api/federation/transfers/${created.id}`), 200, 'transfer view');
      return view.status === 'DONE' ? view : undefined;
    });
    assert.equal(done.done, 20);
    assert.match(done.progress, /^20\/20 at .+ \(University hospital B\)$/);
    const sent = await retrieveAll(a, study.studyInstanceUid);
    const received = await retrieveAll(b, study.studyInstanceUid);
    assert.equal(received.size, 20);
    assert.deepEqual(differing(received, sent), [], 'every instance at B is byte for byte what A holds');
    // Both ends audit; B's row names the person A asserted
    assert.ok(await a.db.auditEvent.findFirst({ where: { action: 'federation.send', outcome: 'SUCCESS', studyUid: study.studyInstanceUid, details: { contains: '"DONE"' } } }));
    const receivedRow = await b.db.auditEvent.findFirst({ where: { action: 'federation.receive', studyUid: study.studyInstanceUid, details: { contains: '"DONE"' } } });
    assert.ok(receivedRow, 'B audits the arrival');
    assert.match(receivedRow.actor, /Administrator \(.+ at District hospital A\)/);
    const incoming = await b.db.federatedTransfer.findFirstOrThrow({ where: { direction: 'IN', studyInstanceUid: study.studyInstanceUid } });
    assert.equal(incoming.status, 'DONE');
    assert.equal(incoming.done, 20);
  });

  it('lets a person of B read at A what A granted B’s facility (the sent study), and nothing else, through the signed DICOMweb of the node API', async () => {
    const aNodeId = (await json<NodeView>(await a.api('GET', '/api/admin/node/federation'), 200, 'A')).node.nodeId;
    const bFacility = await b.db.facility.findFirstOrThrow({ where: { nodePeerId: null }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true, code: true } });
    const actor = { id: 'b-radiologist-1', name: 'Dr Bea Reader', email: 'bea@uni.example', facility: bFacility };
    const search = async (patientId: string) => {
      const path = `/federation/v1/dicomweb/studies?PatientID=${patientId}`;
      const authorization = await signNodeRequest({ identity: loadNodeIdentity(b.dataDir), audience: aNodeId, method: 'GET', path, actor });
      const response = await fetch(`${a.url}${path}`, { headers: { authorization, accept: 'application/dicom+json' } });
      // QIDO-RS: 204 No Content when nothing matches
      if (response.status === 204) return [];
      return json<Record<string, { Value: string[] }>[]>(response, 200, `QIDO ${patientId} by a person of B`);
    };
    assert.equal((await search('A-0001')).length, 1, 'the study A sent to B’s facility');
    assert.deepEqual(await search('A-NOCONSENT'), [], 'a study A never granted B is not there for B’s people');
    const reader = await a.db.user.findFirstOrThrow({ where: { remoteUserId: 'b-radiologist-1' }, select: { name: true, passwordHash: true } });
    assert.equal(reader.name, 'Dr Bea Reader');
    assert.equal(reader.passwordHash, '!', 'a person of another node has no password here');
    await until('A’s audit of the search by the person of B', () => a.db.auditEvent.findFirst({ where: { action: 'dicomweb.qido', actor: { contains: 'Dr Bea Reader' } } }), 10_000);
  });

  it('completes a transfer interrupted by killing B, after B restarts: no duplicate, nothing sent twice that had arrived', async () => {
    const study = makeStudy({ series: 1, instancesPerSeries: 200, patientId: 'A-0002', patientName: 'Resume^Rita', modality: 'CT', rows: 256, columns: 256, seed: 'fed-resume' });
    await stowInto(a, study);
    const destination = bAtA.facilities[0];
    await permitTransfer(a, study.studyInstanceUid, destination.id);
    const created = await json<TransferView>(await a.api('POST', '/api/federation/transfers', { studyInstanceUid: study.studyInstanceUid, facilityId: destination.id }), 201, 'transfer');
    const arrivedBeforeKill = await until('the first batches at B', async () => {
      const count = await b.db.instance.count({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } } });
      return count >= 25 ? count : undefined;
    }, WAIT_MS);
    await b.kill();
    assert.ok(arrivedBeforeKill < 200, `B was killed mid-way (${arrivedBeforeKill}/200 had arrived)`);
    const waiting = await until('A to see B down', async () => {
      const view = await json<TransferView>(await a.api('GET', `/api/federation/transfers/${created.id}`), 200, 'view');
      return view.lastError ? view : undefined;
    });
    assert.notEqual(waiting.status, 'DONE');
    assert.match(waiting.lastError ?? '', /could not be reached|answered/);
    await b.restart();
    const done = await until('the resumed transfer to finish', async () => {
      const view = await json<TransferView>(await a.api('GET', `/api/federation/transfers/${created.id}`), 200, 'view');
      return view.status === 'DONE' ? view : undefined;
    }, 120_000);
    assert.equal(done.done, 200);
    // Exactly one copy of each instance at B, each the bytes A holds
    assert.equal(await b.db.instance.count({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } } }), 200);
    // What arrived before the kill was not sent again: B's STOW audit rows add up to at most the 200
    // (the requests in flight when B died stored some images but wrote no audit row: at most a batch each)
    const stows = await b.db.auditEvent.findMany({ where: { action: 'dicomweb.stow', studyUid: study.studyInstanceUid }, select: { details: true } });
    const storedInAll = stows.reduce((sum, row) => sum + Number((JSON.parse(row.details) as { stored?: number }).stored ?? 0), 0);
    assert.ok(storedInAll <= 200 && storedInAll >= 200 - BATCH_INSTANCES * IN_FLIGHT, `B stored ${storedInAll} instances in all its STOW requests`);
    assert.deepEqual(differing(await retrieveAll(b, study.studyInstanceUid), await retrieveAll(a, study.studyInstanceUid)), []);
  });

  describe('the node-to-node API refuses what it must, with 401, audited at the refusing node', () => {
    const facilitiesPath = '/federation/v1/facilities';
    async function signedBy(node: NodeProcess, audience: string, path = facilitiesPath, method = 'GET'): Promise<string> {
      return signNodeRequest({ identity: loadNodeIdentity(node.dataDir), audience, method, path });
    }
    async function refusedAt(node: NodeProcess, reason: string): Promise<void> {
      await until(`federation.refused ${reason} at ${node.name}`, async () => node.db.auditEvent.findFirst({ where: { action: 'federation.refused', outcome: 'DENIED', facilityId: await homeFacilityId(node), details: { contains: `"reason":"${reason}"` } } }), 10_000);
    }

    it('answers a signed request of a paired node, and refuses it unsigned, tampered, replayed, or for another path', async () => {
      const ok = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: await signedBy(a, bAtA.nodeId) } });
      const listed = await json<{ facilities: { id: string }[] }>(ok, 200, 'signed');
      assert.ok(listed.facilities.length >= 1);

      const unsigned = await fetch(`${b.url}${facilitiesPath}`);
      assert.equal(unsigned.status, 401);
      assert.equal(((await unsigned.json()) as { reason: string }).reason, 'UNSIGNED');
      await refusedAt(b, 'UNSIGNED');

      const good = await signedBy(a, bAtA.nodeId);
      const [scheme, token] = good.split(' ');
      const [header, payload, signature] = token.split('.');
      const tampered = `${scheme} ${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
      const bad = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: tampered } });
      assert.equal(bad.status, 401);
      assert.equal(((await bad.json()) as { reason: string }).reason, 'BAD_SIGNATURE');
      await refusedAt(b, 'BAD_SIGNATURE');

      const once = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: good } });
      assert.equal(once.status, 200);
      const replay = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: good } });
      assert.equal(replay.status, 401);
      assert.equal(((await replay.json()) as { reason: string }).reason, 'REPLAYED');
      await refusedAt(b, 'REPLAYED');

      const otherPath = await fetch(`${b.url}/federation/v1/transfers/inventory`, { method: 'POST', headers: { authorization: await signedBy(a, bAtA.nodeId), 'content-type': 'application/json' }, body: '{}' });
      assert.equal(otherPath.status, 401);
    });

    it('stores no instance whose bytes are not what the sending node signed, nor one it did not sign', async () => {
      const study = makeStudy({ series: 1, instancesPerSeries: 2, patientId: 'A-TAMPER', patientName: 'Tamper^Tom', modality: 'CT', rows: 32, columns: 32, seed: 'fed-tamper' });
      const aFacility = await a.db.facility.findFirstOrThrow({ where: { nodePeerId: null }, orderBy: { createdAt: 'asc' }, select: { id: true, name: true, code: true } });
      const actor = { id: 'a-user-tamper', name: 'Dr Tamper', email: 'tamper@a.example', facility: aFacility };
      const identity = loadNodeIdentity(a.dataDir);
      const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
      const [first, second] = study.sopInstanceUids[0];
      const inventoryPath = '/federation/v1/transfers/inventory';
      const inventory = Buffer.from(JSON.stringify({ transferId: 'tamper-1', studyInstanceUid: study.studyInstanceUid, facilityId: bAtA.facilities[0].remoteId, total: 2, instances: [{ sopInstanceUid: first, sha256: sha(study[0]) }, { sopInstanceUid: second, sha256: sha(study[1]) }] }));
      const started = await fetch(`${b.url}${inventoryPath}`, { method: 'POST', headers: { authorization: await signNodeRequest({ identity, audience: bAtA.nodeId, method: 'POST', path: inventoryPath, body: inventory, actor }), 'content-type': 'application/json' }, body: new Uint8Array(inventory) });
      assert.deepEqual(await json(started, 200, 'inventory'), { have: [] });
      // The first part's bytes changed on the way (one byte of its pixels); the second not in the signed manifest at all
      const altered = Buffer.from(study[0]);
      altered[altered.length - 1] ^= 0xff;
      const stowPath = `/federation/v1/stow/studies/${study.studyInstanceUid}?transfer=tamper-1`;
      const { body, contentType } = stowBody([altered, study[1]]);
      const answer = await fetch(`${b.url}${stowPath}`, {
        method: 'POST',
        headers: { authorization: await signNodeRequest({ identity, audience: bAtA.nodeId, method: 'POST', path: stowPath, instances: { [first]: sha(study[0]) }, actor }), 'content-type': contentType, accept: 'application/dicom+json' },
        body: new Uint8Array(body),
      });
      const stow = await json<Record<string, { Value: Record<string, { Value: string[] }>[] }>>(answer, 409, 'tampered batch');
      const comments = stow['00081198'].Value.map((item) => item['00000902'].Value[0]);
      assert.match(comments[0], /not the .* the sending node signed; not stored/);
      assert.match(comments[1], /not in the manifest the sending node signed; not stored/);
      assert.equal(await b.db.instance.count({ where: { sopInstanceUid: { in: [first, second] } } }), 0);
    });

    it('refuses a node it is not paired with', async () => {
      const bNodeId = (await json<NodeView>(await b.api('GET', '/api/admin/node/federation'), 200, 'B')).node.nodeId;
      const response = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: await signedBy(r, bNodeId) } });
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { reason: string }).reason, 'UNPAIRED');
      await refusedAt(b, 'UNPAIRED');
    });

    it('rotates A’s key: B learns the new key from a request signed with the old one, and takes both for a grace period', async () => {
      const before = await json<NodeView>(await a.api('GET', '/api/admin/node/federation'), 200, 'A before');
      const oldSignature = await signedBy(a, bAtA.nodeId);
      const rotated = await json<{ fingerprint: string; peersTold: number }>(await a.api('POST', '/api/admin/node/federation/key-rotation'), 200, 'rotation');
      assert.notEqual(rotated.fingerprint, before.node.fingerprint);
      assert.ok(rotated.peersTold >= 1);
      const learnt = await until('B to learn A’s new key', async () => {
        const peer = await peerAt(b, a.name);
        return peer?.fingerprint === rotated.fingerprint ? peer : undefined;
      });
      assert.equal(learnt.status, 'ACTIVE');
      assert.ok(await b.db.auditEvent.findFirst({ where: { action: 'federation.peer_key' } }), 'B audits the new key');
      // Signed with the new key now; one signed just before the rotation still verifies
      assert.equal((await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: await signedBy(a, bAtA.nodeId) } })).status, 200);
      assert.equal((await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: oldSignature } })).status, 200);
    });

    it('suspends at once (A is told and sees who suspended), resumes, and refuses everything after unpairing', async () => {
      const suspended = await json<PeerView>(await b.api('POST', `/api/admin/node/federation/peers/${aAtB.id}`, { action: 'suspend' }), 200, 'suspend');
      assert.equal(suspended.status, 'SUSPENDED');
      assert.equal(suspended.statusBy, 'LOCAL');
      const refused = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: await signedBy(a, bAtA.nodeId) } });
      assert.equal(refused.status, 401);
      assert.equal(((await refused.json()) as { reason: string }).reason, 'SUSPENDED');
      const told = await until('A to be told', async () => {
        const peer = await peerAt(a, b.name);
        return peer?.status === 'SUSPENDED' ? peer : undefined;
      });
      assert.equal(told.statusBy, 'REMOTE');
      // A may not lift B's suspension
      assert.equal((await a.api('POST', `/api/admin/node/federation/peers/${bAtA.id}`, { action: 'resume' })).status, 409);
      await json(await b.api('POST', `/api/admin/node/federation/peers/${aAtB.id}`, { action: 'resume' }), 200, 'resume');
      await until('A to see the resume', async () => (await peerAt(a, b.name))?.status === 'ACTIVE');
      assert.equal((await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: await signedBy(a, bAtA.nodeId) } })).status, 200);

      await json(await b.api('POST', `/api/admin/node/federation/peers/${aAtB.id}`, { action: 'unpair' }), 200, 'unpair');
      const after = await fetch(`${b.url}${facilitiesPath}`, { headers: { authorization: await signedBy(a, bAtA.nodeId) } });
      assert.equal(after.status, 401);
      assert.equal(((await after.json()) as { reason: string }).reason, 'UNPAIRED');
      await until('A to see the unpairing', async () => (await peerAt(a, b.name))?.status === 'UNPAIRED');
      // A can send B nothing now
      const study = await a.db.study.findFirstOrThrow({ where: { facility: { nodePeerId: null } }, select: { studyInstanceUid: true } });
      assert.equal((await a.api('POST', '/api/federation/transfers', { studyInstanceUid: study.studyInstanceUid, facilityId: bAtA.facilities[0].id })).status, 409);
    });
  });
});
