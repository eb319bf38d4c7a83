// Emergency transfer notices between nodes (issue 19), with two real Telepacs processes on
// loopback — district A and university B, each with its own database (one SQLite, one
// PostgreSQL: they swap with TEST_DATABASE) and store, talking only through their HTTP APIs.
// A's emergency physician sends a notice to B's stroke unit while two routine transfers
// A→B hold every job slot of A: B's on-call neurologist's page rings within 2 s; then the
// 500-image CT arrives at B ahead of the routine transfers, B's board shows "arriving n/500"
// and B's notice lists the study; B acknowledges and A's notice shows "Acknowledged by
// Dr … (… at University hospital B)"; B's Ask and redirect reach A, A's new ETA, vitals and
// repeat scan reach B, and A's cancel ends it at B too; calls not B's to receive are refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { io as connect, type Socket } from 'socket.io-client';
import { loadNodeIdentity } from '../../lib/federation/node-identity';
import { signNodeRequest } from '../../lib/federation/signed-request';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, type TransferAlarmPayload } from '../../lib/realtime/events';
import { makeStudy } from '../support/fixtures';
import { startNodeProcess, type NodeProcess } from '../support/node-process';
import { until as pollUntil } from '../support/poll';
import { MEMBER_PASSWORD, asUser, expectJson as json, homeFacilityId, member, permitTransfer, serviceWith, stowInto } from '../support/federation-nodes';
import { testDatabaseKind } from '../support/test-database';

const WAIT_MS = 90_000;
const until = <T,>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = WAIT_MS): Promise<T> => pollUntil(what, probe, timeoutMs);

interface PeerView {
  id: string;
  name: string;
  facilities: { id: string; name: string; remoteId: string }[];
}
interface NoticeView {
  id: string;
  status: string;
  sender: { name: string; facility: { name: string } };
  firstSeen: { by: string } | null;
  acknowledged: { by: string } | null;
  cancelled: { by: string } | null;
  studies: { studyInstanceUid: string; instances: number; state: string }[];
  delivery: { delivered: boolean; words: string } | null;
  arrivals: { studyInstanceUid: string; done: number; total: number; status: string; words: string }[];
  timeline: { action: string; by: string | null }[];
}
interface BoardRow {
  id: string;
  from: string;
  arriving: string | null;
  images: { studies: number; instances: number };
}

const as = asUser;

type Listening = Socket & { heard: [string, unknown, number][] };

async function listen(node: NodeProcess, cookie: string): Promise<Listening> {
  const socket = connect(`${node.url}${REALTIME_NAMESPACE}`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } }) as Listening;
  socket.heard = [];
  socket.onAny((event: string, payload: unknown) => socket.heard.push([event, payload, Date.now()]));
  await new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('connect_error', reject);
  });
  return socket;
}

describe('emergency transfer notices between two nodes on loopback', { timeout: 900_000 }, () => {
  let a: NodeProcess;
  let b: NodeProcess;
  let doctor: { cookie: string; userId: string };
  let neurologist: { cookie: string; userId: string };
  let intensivist: { cookie: string; userId: string };
  let strokeUnitAtA: string;
  let strokeUnitAtB: string;
  let neuroIcuAtB: string;
  let bAtA: PeerView;
  let alarmSocket: Listening | undefined;
  // A repeat scan made on the way out, added with Update on the way
  const repeat = makeStudy({ series: 1, instancesPerSeries: 3, patientId: 'A-STROKE-1', patientName: 'Stroke^Stella', modality: 'CT', rows: 64, columns: 64, seed: 'fed-notice-repeat' });
  const ct = makeStudy({ series: 1, instancesPerSeries: 500, patientId: 'A-STROKE-1', patientName: 'Stroke^Stella', modality: 'CT', rows: 128, columns: 128, seed: 'fed-notice-ct' });
  const routine = [1, 2].map((n) => makeStudy({ series: 1, instancesPerSeries: 300, patientId: `A-ROUTINE-${n}`, patientName: `Routine^Rob${n}`, modality: 'CT', rows: 256, columns: 256, seed: `fed-notice-routine-${n}` }));
  let noticeId: string;

  before(async () => {
    // A first: it builds the portal if this checkout has no build yet
    const kind = testDatabaseKind();
    a = await startNodeProcess({ name: 'District hospital A', database: kind });
    b = await startNodeProcess({ name: 'University hospital B', database: kind === 'postgres' ? 'sqlite' : 'postgres' });
    // B's stroke unit and its neurologist, through B's administration API, before pairing (A mirrors B's services then)
    neurologist = await member(b, 'neuro@b.test', 'Dr Yara Young', 'EXPERT');
    strokeUnitAtB = await serviceWith(b, 'Stroke unit', [neurologist.userId]);
    // A second hospital on node B and its Neuro ICU, for a redirect within B to another facility
    const neurocentre = await json<{ id: string }>(await b.api('POST', '/api/admin/node/facilities', { code: 'NEUROC', name: 'Neurocentre' }), 201, 'second facility at B');
    intensivist = await member(b, 'icu@b.test', 'Dr Ivo Intensiv', 'EXPERT', neurocentre.id);
    neuroIcuAtB = await serviceWith(b, 'Neuro ICU', [intensivist.userId], neurocentre.id);
    doctor = await member(a, 'er@a.test', 'Dr Xavier Xu', 'EMERGENCY');
    await stowInto(a, ct);
    await stowInto(a, repeat);
    for (const study of routine) await stowInto(a, study);
  });
  after(async () => {
    alarmSocket?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('pairs A and B; A offers B’s stroke unit in the sending form, named with B', async () => {
    const { code } = await json<{ code: string }>(await a.api('POST', '/api/admin/node/federation/pairing-codes'), 201, 'pairing code');
    await json(await b.api('POST', '/api/admin/node/federation/peers', { code }), 201, 'pairing');
    bAtA = await until('B’s facilities and services at A', async () => {
      const view = await json<{ peers: PeerView[] }>(await a.api('GET', '/api/admin/node/federation'), 200, 'peers');
      const peer = view.peers.find((row) => row.name === b.name);
      return peer && peer.facilities.length > 0 && (await a.db.service.count({ where: { remoteId: { not: null } } })) > 0 ? peer : undefined;
    });
    const choices = await json<{ services: { id: string; name: string; facilityName: string }[] }>(await as(a, doctor.cookie)('GET', '/api/transfers/choices'), 200, 'choices');
    const unit = choices.services.find((service) => service.name === 'Stroke unit');
    assert.ok(unit, 'the sending form offers B’s stroke unit');
    assert.match(unit.facilityName, /\(University hospital B\)$/);
    strokeUnitAtA = unit.id;
  });

  it('rings B’s stroke unit within 2 s of A’s Send, while routine transfers hold every job slot of A; A’s notice says it was delivered', async () => {
    // Two routine transfers A→B first: A's two job slots (JOBS_CONCURRENCY 2) are busy sending them
    const destination = bAtA.facilities[0];
    const routineIds: string[] = [];
    for (const study of routine) {
      await permitTransfer(a, study.studyInstanceUid, destination.id);
      routineIds.push((await json<{ id: string }>(await a.api('POST', '/api/federation/transfers', { studyInstanceUid: study.studyInstanceUid, facilityId: destination.id }), 201, 'routine transfer')).id);
    }
    await until('both routine transfers sending', async () => (await a.db.federatedTransfer.count({ where: { id: { in: routineIds }, status: 'SENDING' } })) === 2);

    alarmSocket = await listen(b, neurologist.cookie);
    const sentAt = Date.now();
    const sent = await json<{ id: string }>(await as(a, doctor.cookie)('POST', '/api/transfers', {
      clientKey: 'fed-notice-stroke-0001',
      serviceId: strokeUnitAtA,
      condition: 'STROKE',
      etaMinutes: 45,
      studyInstanceUids: [ct.studyInstanceUid],
      suspectedDiagnosis: 'Left MCA occlusion',
      vitals: { gcs: 11, systolic: 170, diastolic: 95, heartRate: 92 },
      transportMode: 'HELICOPTER',
      callbackPhone: '+1 555 0100',
    }), 201, 'notice sent at A');
    noticeId = sent.id;
    const alarm = await until('the alarm at B', async () => alarmSocket!.heard.find(([event]) => event === REALTIME_EVENTS.TRANSFER_ALARM), 5_000);
    const alarmMs = alarm[2] - sentAt;
    console.log(`transfer:alarm reached B's service member ${alarmMs} ms after A's Send (two routine transfers running at A)`);
    assert.ok(alarmMs < 2_000, `the alarm rang at B ${alarmMs} ms after the Send`);
    const payload = alarm[1] as TransferAlarmPayload;
    assert.equal(payload.condition, 'STROKE');
    assert.match(payload.serviceName, /^Stroke unit, /);
    assert.ok(await a.db.federatedTransfer.count({ where: { id: { in: routineIds }, status: { not: 'DONE' } } }), 'a routine transfer was still running when the alarm rang');

    const [madeAtA, madeAtB] = await Promise.all([a.db.transferNotice.findUniqueOrThrow({ where: { id: noticeId } }), b.db.transferNotice.findFirstOrThrow({ where: { remoteId: noticeId } })]);
    console.log(`notice made at A → made at B: ${madeAtB.createdAt.getTime() - madeAtA.createdAt.getTime()} ms; → alarm heard: ${alarm[2] - madeAtB.createdAt.getTime()} ms`);
    // A's page says so once B has answered (B rings before it answers)
    const atA = await until('A’s notice to say it was delivered', async () => {
      const view = await json<NoticeView>(await as(a, doctor.cookie)('GET', `/api/transfers/${noticeId}`), 200, 'notice at A');
      return view.delivery?.delivered ? view : undefined;
    }, 10_000);
    assert.equal(atA.status, 'SENT');
    assert.equal(atA.delivery?.words, 'Delivered to University hospital B');
  });

  it('sends the CT as an emergency transfer ahead of the routine ones: B’s board shows it arriving, B’s notice lists it, 500/500 well before the ETA', async () => {
    const emergency = await until('the CT’s transfer at A', () => a.db.federatedTransfer.findFirst({ where: { direction: 'OUT', sourceType: 'transfer-notice', sourceId: noticeId } }));
    assert.equal(emergency.priority, 10);
    const started = emergency.createdAt.getTime();
    // On its way: B's board and notice show the arrival's progress
    const neuro = as(b, neurologist.cookie);
    const board = await until('B’s board row', async () => {
      const answer = await json<{ open: BoardRow[] }>(await neuro('GET', `/api/transfers?box=board&serviceId=${strokeUnitAtB}`), 200, 'board');
      return answer.open[0];
    });
    assert.match(board.from, /\(District hospital A\)$/);
    let sawArriving: string | null = null;
    const done = await until('the CT at B', async () => {
      const view = await json<NoticeView>(await neuro('GET', `/api/transfers/${(await json<{ open: BoardRow[] }>(await neuro('GET', `/api/transfers?box=board&serviceId=${strokeUnitAtB}`), 200, 'board')).open[0].id}`), 200, 'notice at B');
      const arrival = view.arrivals[0];
      if (arrival && arrival.status !== 'DONE') sawArriving ??= arrival.words;
      return arrival?.status === 'DONE' ? view : undefined;
    }, 180_000);
    const seconds = (Date.now() - started) / 1000;
    console.log(`500-image CT of the notice at B ${seconds.toFixed(1)} s after its transfer was queued (routine transfers running beside it); first progress seen: ${sawArriving ?? 'none (it was already there)'}`);
    if (sawArriving) assert.match(sawArriving, /^arriving \d+\/500$/);
    assert.equal(done.arrivals[0].words, '500/500 arrived');
    assert.equal(done.studies.length, 1);
    assert.equal(done.studies[0].studyInstanceUid, ct.studyInstanceUid);
    assert.equal(done.studies[0].instances, 500);
    assert.ok(seconds < 45 * 60, 'there well before the 45-minute ETA');
    assert.equal(await b.db.instance.count({ where: { series: { study: { studyInstanceUid: ct.studyInstanceUid } } } }), 500);
    // Emergency first: the CT's transfer started at B before either routine transfer had arrived in full
    const inRows = await b.db.federatedTransfer.findMany({ where: { direction: 'IN' }, select: { sourceType: true, createdAt: true, finishedAt: true, status: true } });
    const ctRow = inRows.find((row) => row.sourceType === 'transfer-notice')!;
    const routineRows = inRows.filter((row) => row.sourceType === null);
    assert.equal(routineRows.length, 2);
    assert.ok(routineRows.every((row) => !row.finishedAt || row.finishedAt > ctRow.createdAt), 'the CT did not wait for a routine transfer to finish');
    // … and the routine transfers paused while it was sent: none finished before it
    assert.ok(routineRows.every((row) => !row.finishedAt || row.finishedAt >= ctRow.finishedAt!), 'no routine transfer finished before the CT');
    const routineAtA = await a.db.federatedTransfer.findMany({ where: { direction: 'OUT', sourceType: null }, select: { done: true, total: true } });
    console.log(`just after the CT was complete at B, the routine transfers stood at ${routineAtA.map((row) => `${row.done}/${row.total}`).join(' and ')}`);
    // The neurologist reads it at B (a study of their facility)
    const qido = await fetch(`${b.url}/dicomweb/studies?StudyInstanceUID=${ct.studyInstanceUid}`, { headers: { authorization: `Basic ${Buffer.from(`neuro@b.test:${MEMBER_PASSWORD}`).toString('base64')}` } });
    assert.equal(qido.status, 200);
    // The share rests on the notice's vital-interest basis at A, audited there
    const grant = await a.db.accessGrant.findFirstOrThrow({ where: { sourceType: 'federation', sourceId: emergency.id } });
    assert.equal(grant.legalBasis, 'VITAL_INTEREST');
  });

  it('B acknowledges, asks and redirects within B; A updates ETA, vitals and studies and cancels: each node shows the other’s changes', async () => {
    const neuro = as(b, neurologist.cookie);
    const bNotice = await b.db.transferNotice.findFirstOrThrow({ where: { remoteId: noticeId }, select: { id: true } });
    await json(await neuro('POST', `/api/transfers/${bNotice.id}/actions`, { action: 'acknowledge' }), 200, 'acknowledge at B');
    const atA = await until('the acknowledgment at A', async () => {
      const view = await json<NoticeView>(await as(a, doctor.cookie)('GET', `/api/transfers/${noticeId}`), 200, 'notice at A');
      return view.status === 'ACKNOWLEDGED' ? view : undefined;
    }, 20_000);
    assert.match(atA.acknowledged?.by ?? '', /^Dr Yara Young \(.+ at University hospital B\)$/);
    // B's neurologist opened the notice before acknowledging: A reads that it was seen, and by whom
    const seenAtA = await until('the seen mark at A', async () => {
      const view = await json<NoticeView>(await as(a, doctor.cookie)('GET', `/api/transfers/${noticeId}`), 200, 'notice at A');
      return view.firstSeen ? view : undefined;
    }, 20_000);
    assert.match(seenAtA.firstSeen?.by ?? '', /^Dr Yara Young \(.+ at University hospital B\)$/);

    // Ask from B, and a new ETA and vitals from A on the way
    await json(await neuro('POST', `/api/transfers/${bNotice.id}/messages`, { body: 'Bring the anticoagulant list, please.' }), 201, 'message at B');
    await json(await as(a, doctor.cookie)('PATCH', `/api/transfers/${noticeId}`, { etaMinutes: 20, vitals: { gcs: 9, systolic: 180 }, studyInstanceUids: [repeat.studyInstanceUid] }), 200, 'update at A');
    const askedAtA = await until('B’s message at A', async () => {
      const view = await json<NoticeView & { messages: { author: string; body: string }[] }>(await as(a, doctor.cookie)('GET', `/api/transfers/${noticeId}`), 200, 'notice at A');
      return view.messages.length ? view : undefined;
    }, 20_000);
    assert.equal(askedAtA.messages[0].body, 'Bring the anticoagulant list, please.');
    assert.match(askedAtA.messages[0].author, /^Dr Yara Young \(.+ at University hospital B\)$/);
    const etaAtA = (await a.db.transferNotice.findUniqueOrThrow({ where: { id: noticeId }, select: { etaAt: true } })).etaAt;
    const updatedAtB = await until('the new ETA and vitals at B', async () => {
      const view = await json<NoticeView & { etaAt: string; vitals: { gcs?: number } }>(await neuro('GET', `/api/transfers/${bNotice.id}`), 200, 'notice at B');
      return view.etaAt === etaAtA.toISOString() && view.vitals.gcs === 9 ? view : undefined;
    }, 20_000);
    assert.ok(updatedAtB.timeline.some((event) => event.action === 'eta'));
    // The repeat scan follows the notice to B
    const withRepeat = await until('the repeat scan on B’s notice', async () => {
      const view = await json<NoticeView>(await neuro('GET', `/api/transfers/${bNotice.id}`), 200, 'notice at B');
      return view.studies.find((study) => study.studyInstanceUid === repeat.studyInstanceUid && study.instances === 3) ? view : undefined;
    }, 30_000);
    assert.equal(withRepeat.studies.length, 2);

    // B redirects to the Neuro ICU of its other hospital: A's notice follows, ringing there again,
    // and the ICU reads the images that arrived at the stroke unit's hospital (a vital-interest basis made at B)
    const qidoAsIcu = async () => {
      const response = await fetch(`${b.url}/dicomweb/studies?StudyInstanceUID=${ct.studyInstanceUid}`, { headers: { authorization: `Basic ${Buffer.from(`icu@b.test:${MEMBER_PASSWORD}`).toString('base64')}`, accept: 'application/dicom+json' } });
      return response.status === 204 ? [] : ((await response.json()) as unknown[]);
    };
    assert.equal((await qidoAsIcu()).length, 0, 'the other hospital’s ICU reads nothing of it before the redirect');
    await json(await neuro('POST', `/api/transfers/${bNotice.id}/actions`, { action: 'redirect', serviceId: neuroIcuAtB, reason: 'Stroke unit full' }), 200, 'redirect at B');
    const icu = as(b, intensivist.cookie);
    const atIcu = await json<NoticeView>(await icu('GET', `/api/transfers/${bNotice.id}`), 200, 'notice at the ICU');
    assert.ok(atIcu.studies.some((study) => study.studyInstanceUid === ct.studyInstanceUid && study.instances === 500), 'the ICU’s notice lists the CT');
    assert.equal((await qidoAsIcu()).length, 1, 'the ICU reads the CT that arrived at the other hospital of B');
    const redirectedAtA = await until('the redirect at A', async () => {
      const view = await json<NoticeView & { target: { serviceName: string } }>(await as(a, doctor.cookie)('GET', `/api/transfers/${noticeId}`), 200, 'notice at A');
      return view.target.serviceName === 'Neuro ICU' ? view : undefined;
    }, 20_000);
    assert.equal(redirectedAtA.status, 'SENT');
    assert.ok(redirectedAtA.timeline.some((event) => event.action === 'redirect'));

    await json(await as(a, doctor.cookie)('POST', `/api/transfers/${noticeId}/actions`, { action: 'cancel', reason: 'Thrombolysed here, no transfer' }), 200, 'cancel at A');
    const atB = await until('the cancel at B', async () => {
      const view = await json<NoticeView>(await icu('GET', `/api/transfers/${bNotice.id}`), 200, 'notice at B');
      return view.status === 'CANCELLED' ? view : undefined;
    }, 20_000);
    assert.match(atB.cancelled?.by ?? '', /^Dr Xavier Xu \(.+ at District hospital A\)$/);
    assert.equal((await qidoAsIcu()).length, 0, 'the cancel ended the ICU’s access');
  });

  it('answers a paired node’s change of a notice not shared with it 404, and a change its side may not tell 403', async () => {
    const bNodeId = (await json<{ node: { nodeId: string } }>(await b.api('GET', '/api/admin/node/federation'), 200, 'B')).node.nodeId;
    const actor = { id: doctor.userId, name: 'Dr Xavier Xu', email: 'er@a.test', facility: { id: await homeFacilityId(a), name: 'A', code: 'A' } };
    const signedCall = async (path: string, body: unknown) => {
      const bytes = Buffer.from(JSON.stringify(body));
      const authorization = await signNodeRequest({ identity: loadNodeIdentity(a.dataDir), audience: bNodeId, method: 'POST', path, body: bytes, actor });
      return fetch(`${b.url}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: bytes });
    };
    const change = { changeId: 'forged-1', change: 'acknowledge', at: new Date().toISOString() };
    // A notice B holds that A did not send (B's own id, not A's)
    const bNotice = await b.db.transferNotice.findFirstOrThrow({ where: { remoteId: noticeId }, select: { id: true } });
    assert.equal((await signedCall(`/federation/v1/notices/${bNotice.id}/changes`, change)).status, 404);
    // A's notice, but an acknowledgment is the receiving team's to tell, not the sending node's
    assert.equal((await signedCall(`/federation/v1/notices/${noticeId}/changes`, change)).status, 403);
    // Both refusals are in B's audit, naming A
    const refusals = await until('the two refusals in B’s audit', async () => {
      const rows = await b.db.auditEvent.findMany({ where: { action: 'federation.refused', outcome: 'DENIED', resource: { startsWith: '/federation/v1/notices/' } }, select: { actor: true, details: true } });
      return rows.length >= 2 ? rows : undefined;
    }, 10_000);
    assert.deepEqual(refusals.map((row) => (JSON.parse(row.details) as { status: number }).status).sort(), [403, 404]);
    assert.ok(refusals.every((row) => row.actor === 'node:District hospital A'));
  });
});
