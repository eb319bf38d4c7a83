// The data bridge's inbound side (issue 18) on a real node (SQLite, or PostgreSQL with
// TEST_DATABASE=postgres): Debian's python3-hl7 `mllp_send` and raw sockets send ADT and
// order messages to HL7_PORT; what a user sees through the archive (QIDO-RS, WADO-RS
// metadata, the stored file) follows A08 and A40; the ACKs are what an interface engine
// expects: AA, AE with ERR for a bad message, AR for an unknown sender; framing survives
// split, batched, padded and 1 MB messages.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { existsSync } from 'node:fs';
import { waitForJob } from '../../lib/jobs/job-signals';
import { frame } from '../../lib/hl7/mllp-framer';
import { seriesMetadataFile } from '../../pacs-core/dicomweb/series-metadata-cache';
import { findscu } from '../support/dcmtk';
import { makeStudy } from '../support/fixtures';
import { ackCode, hl7, mllpSend, msh, rawMllp, segment } from '../support/hl7';
import { startTestServer, type TestServer } from '../support/test-server';

// Debian's python3-hl7 gives the mllp_send client (installed by .ci/run); elsewhere the file says what is missing
const noMllpSend = !existsSync('/usr/bin/mllp_send') && !process.env.CI ? 'not installed: python3-hl7 (apt-get install -y python3-hl7)' : undefined;

describe('HL7 v2 inbound (MLLP)', { skip: noMllpSend }, () => {
  let server: TestServer;
  let port: number;
  let home: string;

  before(async () => {
    server = await startTestServer({ env: { HL7_PORT: '0', HL7_SENDERS: 'RIS^HOSP,HIS^HOSP', REGION_PATIENT_ID_ISSUER: 'REGION', DICOM_PEERS: 'WS1@127.0.0.1:104' } });
    port = server.node.hl7Port!;
    home = server.node.firstRun.facilityId;
  });
  after(() => server?.stop());

  const qido = async (query: string) => {
    const response = await fetch(`${server.dicomwebUrl}/studies?${query}`, { headers: { Authorization: server.adminAuthorization, Accept: 'application/dicom+json' } });
    assert.ok(response.status === 200 || response.status === 204, `QIDO ${query}: ${response.status}`);
    return response.status === 204 ? [] : ((await response.json()) as Record<string, { Value?: unknown[] }>[]);
  };
  const nameOf = (json: Record<string, { Value?: unknown[] }>) => (json['00100010']?.Value?.[0] as { Alphabetic?: string } | undefined)?.Alphabetic;
  const ingest = async (files: Buffer[]) => {
    for (const file of files) await server.node.archive.ingest(file, { kind: 'import', source: 'test' }, home);
  };

  it('A08 from the HIS changes the name QIDO and WADO-RS metadata return, the file stays as received', async () => {
    const ct = makeStudy({ series: 1, instancesPerSeries: 2, seed: 'hl7-a08', patientId: 'MRN100', patientName: 'Doe^Jon', patientSex: 'M', patientBirthDate: '19700101', modality: 'CT' });
    await ingest(ct);
    assert.equal(nameOf((await qido('PatientID=MRN100'))[0]), 'Doe^Jon');

    const a08 = msh('ADT^A08^ADT_A01', { app: 'HIS' });
    const [ack] = await mllpSend(port, [hl7(a08.line, 'EVN|A08|20261207080000', 'PID|1||MRN100^^^HOSP^MR||DOE^JOHN^Q||19700102|M', 'PV1|1|O')]);
    assert.equal(ackCode(ack), 'AA', ack);
    assert.equal(segment(ack, 'MSA')?.[2], a08.controlId);
    assert.equal(segment(ack, 'MSH')?.[8], 'ACK^A08^ACK');

    const [study] = await qido('PatientID=MRN100&includefield=00100030');
    assert.equal(nameOf(study), 'DOE^JOHN^Q');
    assert.deepEqual(study['00100030']?.Value, ['19700102']);
    // The name search follows too
    assert.equal((await qido('PatientName=DOE*JOHN*')).length, 1);
    // And a workstation's C-FIND (DCMTK findscu)
    const find = await findscu({ port: server.dicomPort, aet: 'TELEPACS' }, { callingAet: 'WS1', level: 'STUDY', keys: { PatientID: 'MRN100', PatientName: '', PatientBirthDate: '' } });
    assert.deepEqual(find.datasets.map((dataset) => [dataset.PatientName, dataset.PatientBirthDate]), [[[{ Alphabetic: 'DOE^JOHN^Q' }], '19700102']]);
    assert.equal((await qido('PatientName=Doe^Jon')).length, 0);

    const metadata = await fetch(`${server.dicomwebUrl}/studies/${ct.studyInstanceUid}/series/${ct.seriesInstanceUids[0]}/metadata`, { headers: { Authorization: server.adminAuthorization, Accept: 'application/dicom+json' } });
    const instances = (await metadata.json()) as Record<string, { Value?: unknown[] }>[];
    assert.equal(instances.length, 2);
    for (const instance of instances) assert.equal(nameOf(instance), 'DOE^JOHN^Q');

    // An image arriving after the update gets the record's values in the index too
    const later = makeStudy({ series: 1, instancesPerSeries: 3, seed: 'hl7-a08', patientId: 'MRN100', patientName: 'Doe^Jon', modality: 'CT' });
    await ingest([later[2]]);
    const again = await fetch(`${server.dicomwebUrl}/studies/${ct.studyInstanceUid}/series/${ct.seriesInstanceUids[0]}/metadata`, { headers: { Authorization: server.adminAuthorization, Accept: 'application/dicom+json', 'Accept-Encoding': 'gzip' } });
    // fetch has already undone the gzip
    const body = await again.text();
    const names = (JSON.parse(body) as Record<string, { Value?: unknown[] }>[]).map(nameOf);
    assert.deepEqual(names, ['DOE^JOHN^Q', 'DOE^JOHN^Q', 'DOE^JOHN^Q']);

    // The stored file is the one received
    const file = await fetch(`${server.dicomwebUrl}/studies/${ct.studyInstanceUid}/series/${ct.seriesInstanceUids[0]}/instances/${ct.sopInstanceUids[0][0]}`, { headers: { Authorization: server.adminAuthorization, Accept: 'multipart/related; type="application/dicom"' } });
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.ok(bytes.includes(Buffer.from('Doe^Jon')), 'the file keeps the modality\'s name');
    assert.ok(!bytes.includes(Buffer.from('DOE^JOHN')));

    const patient = await server.node.db.patient.findFirstOrThrow({ where: { facilityId: home, patientId: 'MRN100' } });
    assert.equal(patient.demographicsSource, 'HIS');
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'patient.update_demographics', patientId: 'MRN100' } });
    assert.match(audit.details, /"from":"Doe\^Jon","to":"DOE\^JOHN\^Q"/);
    const row = await server.node.db.hl7Message.findFirstOrThrow({ where: { controlId: a08.controlId } });
    assert.equal(row.status, 'PROCESSED');
    assert.match(row.raw, /^MSH\|/);
    assert.equal(row.patientRef, patient.id);
  });

  it("A04 with the region-wide ID among PID-3's identifiers joins the record to its person", async () => {
    const [ack] = await mllpSend(port, [hl7(msh('ADT^A04^ADT_A01').line, 'PID|1||MRN700^^^HOSP^MR~R-777^^^REGION^PI||NEW^NORA||20000229|F')]);
    assert.equal(ackCode(ack), 'AA', ack);
    const record = await server.node.db.patient.findFirstOrThrow({ where: { facilityId: home, patientId: 'MRN700' }, include: { links: { include: { person: true } } } });
    assert.deepEqual([record.name, record.birthDate, record.sex, record.issuer], ['NEW^NORA', '20000229', 'F', '']);
    assert.deepEqual(record.links.map((link) => [link.person.regionIssuer, link.person.regionPatientId, link.method]), [['REGION', 'R-777', 'AUTOMATIC']]);
  });

  it('reads a message in the character set MSH-18 names (8859/1)', async () => {
    const line = `MSH|^~\\&|HIS|HOSP|TELEPACS|HOSP|20261207080000||ADT^A08^ADT_A01|L1${Date.now()}|P|2.5.1||||||8859/1`;
    const latin1 = Buffer.from(hl7(line, 'PID|1||MRN710^^^HOSP^MR||MÜLLER^JÖRG||19550505|M'), 'latin1');
    const [ack] = await rawMllp(port, [frame(latin1)], 1);
    assert.equal(ackCode(ack), 'AA', ack);
    assert.equal((await server.node.db.patient.findFirstOrThrow({ where: { patientId: 'MRN710' } })).name, 'MÜLLER^JÖRG');
  });

  it('A40 moves the prior record\'s studies to the surviving patient; images still sent under the old ID follow', async () => {
    const survivor = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'hl7-a40-a', patientId: 'MRN200', patientName: 'Roe^Ann', modality: 'MR' });
    const prior = makeStudy({ series: 1, instancesPerSeries: 2, seed: 'hl7-a40-b', patientId: 'TMP9', patientName: 'Roe^A', modality: 'CT' });
    await ingest([...survivor, ...prior]);
    const a40 = msh('ADT^A40^ADT_A39');
    const [ack] = await mllpSend(port, [hl7(a40.line, 'EVN|A40|20261207080000', 'PID|1||MRN200^^^HOSP^MR||ROE^ANN||19800505|F', 'MRG|TMP9^^^HOSP^MR')]);
    assert.equal(ackCode(ack), 'AA', ack);
    const studies = await qido('PatientID=MRN200');
    assert.equal(studies.length, 2);
    for (const study of studies) assert.equal(nameOf(study), 'ROE^ANN');
    assert.equal((await qido('PatientID=TMP9')).length, 0);

    // The prior study's metadata names the survivor
    const metadata = await fetch(`${server.dicomwebUrl}/studies/${prior.studyInstanceUid}/metadata`, { headers: { Authorization: server.adminAuthorization, Accept: 'application/dicom+json' } });
    for (const instance of (await metadata.json()) as Record<string, { Value?: unknown[] }>[]) assert.deepEqual(instance['00100020']?.Value, ['MRN200']);

    // A modality still sending under the old ID: filed under the survivor
    const late = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'hl7-a40-c', patientId: 'TMP9', patientName: 'Roe^A', modality: 'CR' });
    await ingest(late);
    assert.equal((await qido('PatientID=MRN200')).length, 3);

    const merge = await server.node.db.patientMerge.findFirstOrThrow({ where: { mergedPatientId: 'TMP9' } });
    assert.equal(merge.studiesMoved, 1);
    assert.equal(merge.source, 'HL7');
    // Sent again (the engine missed our ACK): the same answer, nothing done twice
    const [repeat] = await mllpSend(port, [hl7(a40.line, 'EVN|A40|20261207080000', 'PID|1||MRN200^^^HOSP^MR||ROE^ANN||19800505|F', 'MRG|TMP9^^^HOSP^MR')]);
    assert.equal(ackCode(repeat), 'AA');
    assert.equal(await server.node.db.patientMerge.count({ where: { mergedPatientId: 'TMP9' } }), 1);
    assert.equal((await server.node.db.hl7Message.findMany({ where: { controlId: a40.controlId }, orderBy: { receivedAt: 'asc' } })).map((row) => row.status).join(','), 'PROCESSED,DUPLICATE');
  });

  it('ORM^O01 (2.3.1) and OMI^O23 (2.5.1) make, change and cancel scheduled procedure steps', async () => {
    const orm = msh('ORM^O01', { version: '2.3.1' });
    const [ack] = await mllpSend(port, [
      hl7(
        orm.line,
        'PID|1||MRN300^^^HOSP^MR||SMITH^JANE^^^DR||19651224|F',
        'PV1|1|O|||||1234^WELBY^MARCUS',
        'ORC|NW|PL1001|FL1001||SC||^^^20261207093000^^R',
        'OBR|1|PL1001|FL1001|CTHEAD^CT head without contrast^L|||||||||||^^^HEAD|1234^WELBY^MARCUS||ACC1001|RP1001|SPS1||||CT|||||||Headache',
        'ZDS|1.2.826.0.1.3680043.10.1.1001^TELEPACS^Application^DICOM',
      ),
    ]);
    assert.equal(ackCode(ack), 'AA', ack);
    const order = await server.node.db.imagingOrder.findFirstOrThrow({ where: { accessionNumber: 'ACC1001' }, include: { patient: true } });
    assert.equal(order.status, 'SCHEDULED');
    assert.equal(order.studyInstanceUid, '1.2.826.0.1.3680043.10.1.1001');
    assert.equal(order.modality, 'CT');
    assert.equal(order.scheduledDate, '20261207');
    assert.equal(order.scheduledTime, '093000');
    assert.equal(order.requestedProcedureText, 'CT head without contrast');
    assert.equal(order.referringPhysician, 'WELBY^MARCUS');
    assert.equal(order.reasonForStudy, 'Headache');
    assert.equal(order.patient.name, 'SMITH^JANE^^DR');
    assert.equal(order.patient.demographicsSource, 'HIS');

    const omi = msh('OMI^O23^OMI_O23');
    const [omiAck] = await mllpSend(port, [
      hl7(
        omi.line,
        'PID|1||MRN301^^^HOSP^MR||BROWN^TOM||19900101|M',
        'ORC|NW|PL2002|FL2002||SC',
        'TQ1|1||||||20261207141500||S',
        'OBR|1|PL2002|FL2002|MRKNEE^MR knee^L',
        'IPC|ACC2002|RP2002|1.2.826.0.1.3680043.10.1.2002|SPS2002|MR||MRI-1||MR1',
      ),
    ]);
    assert.equal(ackCode(omiAck), 'AA', omiAck);
    const mr = await server.node.db.imagingOrder.findFirstOrThrow({ where: { accessionNumber: 'ACC2002' } });
    assert.deepEqual([mr.modality, mr.stationAet, mr.stationName, mr.stepId, mr.priority, mr.scheduledTime], ['MR', 'MR1', 'MRI-1', 'SPS2002', 'STAT', '141500']);

    const [changed] = await mllpSend(port, [hl7(msh('OMI^O23').line, 'PID|1||MRN301^^^HOSP^MR||BROWN^TOM', 'ORC|XO|PL2002|FL2002', 'TQ1|1||||||20261208100000', 'OBR|1|PL2002|FL2002|MRKNEE^MR knee^L', 'IPC|ACC2002|RP2002|1.2.826.0.1.3680043.10.1.2002|SPS2002|MR||MRI-2||MR2')]);
    assert.equal(ackCode(changed), 'AA', changed);
    const moved = await server.node.db.imagingOrder.findUniqueOrThrow({ where: { id: mr.id } });
    assert.deepEqual([moved.scheduledDate, moved.stationAet], ['20261208', 'MR2']);

    const [cancel] = await mllpSend(port, [hl7(msh('ORM^O01', { version: '2.3.1' }).line, 'PID|1||MRN300^^^HOSP^MR', 'ORC|CA|PL1001|FL1001')]);
    assert.equal(ackCode(cancel), 'AA', cancel);
    assert.equal((await server.node.db.imagingOrder.findUniqueOrThrow({ where: { id: order.id } })).status, 'CANCELLED');

    // Images first (scanned before the RIS caught up): the order meets them when it arrives
    const early = makeStudy({ series: 1, instancesPerSeries: 2, seed: 'hl7-early', patientId: 'MRN302', patientName: 'Early^Eve', modality: 'CR', accessionNumber: 'ACC3003' });
    await ingest(early);
    const [earlyAck] = await mllpSend(port, [hl7(msh('ORM^O01', { version: '2.3.1' }).line, 'PID|1||MRN302^^^HOSP^MR||EARLY^EVE', 'ORC|NW|PL3003|FL3003', 'OBR|1|PL3003|FL3003|XRCHEST^XR chest^L||||||||||||||ACC3003||||||CR')]);
    assert.equal(ackCode(earlyAck), 'AA', earlyAck);
    const met = await server.node.db.imagingOrder.findFirstOrThrow({ where: { accessionNumber: 'ACC3003' }, include: { patient: true } });
    assert.deepEqual([met.status, met.instancesReceived], ['IMAGES_RECEIVED', 2]);
    assert.ok(met.studyRef);

    // Changing an order never sent is an error the RIS must see
    const [unknown] = await mllpSend(port, [hl7(msh('ORM^O01', { version: '2.3.1' }).line, 'PID|1||MRN300^^^HOSP^MR', 'ORC|XO|NOPE|NOPE', 'OBR|1|NOPE|NOPE|X^Y')]);
    assert.equal(ackCode(unknown), 'AE');
    assert.match(segment(unknown, 'ERR')?.join('|') ?? '', /204/);
  });

  it("a new order's priors of the same region are made ready: their series metadata is built before anyone opens them", async () => {
    const headCt = makeStudy({ series: 1, instancesPerSeries: 2, seed: 'hl7-prior-head', patientId: 'MRN600', patientName: 'Prior^Pat', modality: 'CT', bodyPartExamined: 'HEAD', studyDate: '20250101', accessionNumber: 'OLD1' });
    const kneeMr = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'hl7-prior-knee', patientId: 'MRN600', patientName: 'Prior^Pat', modality: 'MR', bodyPartExamined: 'KNEE', studyDate: '20250202', accessionNumber: 'OLD2' });
    await ingest([...headCt, ...kneeMr]);
    // The ingest's own warm-up (a second after the last image) builds the current versions: let it finish first
    const builtAfterIngest = async () => {
      const rows = await server.node.db.series.findMany({ where: { study: { studyInstanceUid: { in: [headCt.studyInstanceUid, kneeMr.studyInstanceUid] } } }, select: { id: true, metadataVersion: true } });
      return rows.every((row) => existsSync(seriesMetadataFile(server.node.archive, row, `${server.url.replace('127.0.0.1', 'localhost')}/dicomweb`)));
    };
    const warmDeadline = Date.now() + 20_000;
    while (!(await builtAfterIngest())) {
      assert.ok(Date.now() < warmDeadline, 'the ingest warm-up did not build the series metadata');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The HIS corrects the name first (the index changes: every cached metadata is out of date)
    const [a08] = await mllpSend(port, [hl7(msh('ADT^A08^ADT_A01').line, 'PID|1||MRN600^^^HOSP^MR||PRIOR^PAT')]);
    assert.equal(ackCode(a08), 'AA', a08);
    const series = await server.node.db.series.findMany({ where: { study: { studyInstanceUid: { in: [headCt.studyInstanceUid, kneeMr.studyInstanceUid] } } }, select: { id: true, metadataVersion: true, study: { select: { studyInstanceUid: true } } } });
    const cacheFileOf = (studyUid: string) => {
      const row = series.find((item) => item.study.studyInstanceUid === studyUid)!;
      return seriesMetadataFile(server.node.archive, row, `${server.url.replace('127.0.0.1', 'localhost')}/dicomweb`);
    };
    for (const uid of [headCt.studyInstanceUid, kneeMr.studyInstanceUid]) assert.ok(!existsSync(cacheFileOf(uid)), 'nothing built for the new version yet');
    const [ack] = await mllpSend(port, [
      hl7(msh('ORM^O01', { version: '2.3.1' }).line, 'PID|1||MRN600^^^HOSP^MR||PRIOR^PAT', 'ORC|NW|PL6000|FL6000', 'OBR|1|PL6000|FL6000|CTHEAD^CT head^L|||||||||||^^^HEAD|||ACC6000||||||CT'),
    ]);
    assert.equal(ackCode(ack), 'AA', ack);
    const order = await server.node.db.imagingOrder.findFirstOrThrow({ where: { accessionNumber: 'ACC6000' } });
    assert.equal(order.bodyPart, 'HEAD');
    const job = await server.node.db.job.findUniqueOrThrow({ where: { type_key: { type: 'order.prefetch-priors', key: order.id } } });
    assert.equal((await waitForJob(server.node.db, job.id, 30_000)).state, 'DONE');
    assert.equal((await server.node.db.imagingOrder.findUniqueOrThrow({ where: { id: order.id } })).prefetchedStudies, 1, 'the head CT, not the knee MR');
    assert.ok(existsSync(cacheFileOf(headCt.studyInstanceUid)), 'the head CT series metadata is built');
    assert.ok(!existsSync(cacheFileOf(kneeMr.studyInstanceUid)), 'the knee is not the same region');
  });

  it('answers AE with ERR for a bad message, AR for an unknown sender, and audits the refusal', async () => {
    const bad = msh('ADT^A08^ADT_A01');
    const noPid = msh('ADT^A08^ADT_A01', { version: '2.3.1' });
    const stranger = msh('ADT^A08^ADT_A01', { app: 'EVIL', facility: 'ELSEWHERE' });
    const [missing, oldStyle, refused, nonsense, unsupported] = await mllpSend(port, [
      hl7(bad.line, 'PID|1||||NAME^ONLY'),
      hl7(noPid.line, 'EVN|A08'),
      hl7(stranger.line, 'PID|1||X1^^^HOSP^MR||A^B'),
      'this is not HL7\r',
      hl7(msh('SIU^S12').line, 'SCH|1'),
    ]);
    assert.equal(ackCode(missing), 'AE');
    const err = segment(missing, 'ERR')!;
    assert.equal(err[2], 'PID^1^3');
    assert.match(err[3], /^101\^Required field missing\^HL70357/);
    assert.equal(err[4], 'E');
    assert.equal(ackCode(oldStyle), 'AE');
    assert.match(segment(oldStyle, 'ERR')?.[1] ?? '', /^PID\^1\^\^100&Segment sequence error&HL70357$/, '2.3.1 ERR-1');
    assert.equal(ackCode(refused), 'AR');
    assert.equal(ackCode(nonsense), 'AE');
    assert.equal(ackCode(unsupported), 'AE');
    assert.match(segment(unsupported, 'ERR')?.[3] ?? '', /^200/);
    const refusal = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'hl7.refuse', details: { contains: stranger.controlId } } });
    assert.equal(refusal.facilityId, home);
    assert.equal(refusal.outcome, 'DENIED');
    assert.equal((await server.node.db.hl7Message.findFirstOrThrow({ where: { controlId: stranger.controlId } })).status, 'REJECTED');
    assert.equal(await server.node.db.patient.count({ where: { patientId: 'X1' } }), 0);
    // Nothing was dropped: every message is stored with its answer
    assert.equal(await server.node.db.hl7Message.count({ where: { raw: { contains: 'this is not HL7' } } }), 1);
  });

  it('frames survive a split between packets, several messages in one write, NUL padding and a 1 MB message', async () => {
    const one = msh('ADT^A08^ADT_A01');
    const message = Buffer.from(hl7(one.line, 'PID|1||MRN400^^^HOSP^MR||SPLIT^SAM'));
    const framed = frame(message);
    const [splitAck] = await rawMllp(port, [framed.subarray(0, 10), framed.subarray(10, framed.length - 1), framed.subarray(framed.length - 1)], 1);
    assert.equal(ackCode(splitAck), 'AA', splitAck);

    const batch = [msh('ADT^A08^ADT_A01'), msh('ADT^A08^ADT_A01'), msh('ADT^A08^ADT_A01')];
    const acks = await rawMllp(port, [Buffer.concat([Buffer.alloc(8), ...batch.map((m, i) => Buffer.concat([frame(hl7(m.line, `PID|1||MRN40${i + 1}^^^HOSP^MR||BATCH^N${i}`)), Buffer.alloc(64)]))])], 3);
    assert.deepEqual(acks.map((ack) => [ackCode(ack), segment(ack, 'MSA')?.[2]]), batch.map((m) => ['AA', m.controlId]));

    const big = msh('ORM^O01', { version: '2.3.1' });
    const note = 'X'.repeat(1024 * 1024);
    const large = frame(hl7(big.line, 'PID|1||MRN410^^^HOSP^MR||LARGE^LOU', 'ORC|NW|PL4100|FL4100', 'OBR|1|PL4100|FL4100|XR^Chest||||||||||||||ACC4100||||||CR', `NTE|1||${note}`));
    const chunks: Buffer[] = [];
    for (let at = 0; at < large.length; at += 65_536) chunks.push(large.subarray(at, at + 65_536));
    const [largeAck] = await rawMllp(port, chunks, 1);
    assert.equal(ackCode(largeAck), 'AA', largeAck);
    const stored = await server.node.db.hl7Message.findFirstOrThrow({ where: { controlId: big.controlId } });
    assert.ok(stored.raw.length > 1024 * 1024);
    assert.equal(await server.node.db.imagingOrder.count({ where: { accessionNumber: 'ACC4100' } }), 1);

    // Over the 16 MB limit: refused with AR (never held whole), its head kept for the administrators
    const huge = msh('ORM^O01', { version: '2.3.1' });
    const oversized = frame(hl7(huge.line, 'PID|1||MRN420^^^HOSP^MR', `NTE|1||${'Y'.repeat(17 * 1024 * 1024)}`));
    const hugeChunks: Buffer[] = [];
    for (let at = 0; at < oversized.length; at += 1024 * 1024) hugeChunks.push(oversized.subarray(at, at + 1024 * 1024));
    const [tooLarge] = await rawMllp(port, hugeChunks, 1);
    assert.equal(ackCode(tooLarge), 'AR', tooLarge);
    assert.equal(segment(tooLarge, 'MSA')?.[2], huge.controlId);
    const cut = await server.node.db.hl7Message.findFirstOrThrow({ where: { controlId: huge.controlId } });
    assert.equal(cut.status, 'REJECTED');
    assert.ok(cut.raw.length < 10_000 && cut.raw.includes('cut: the message had'));
  });

  it('a NUL inside a message is stored and answered, on either database', async () => {
    const withNul = msh('ADT^A08^ADT_A01');
    const [ack] = await rawMllp(port, [frame(Buffer.from(hl7(withNul.line, 'PID|1||MRN800^^^HOSP^MR||NUL\u0000NAME^X')))], 1);
    assert.equal(ackCode(ack), 'AA', ack);
    const row = await server.node.db.hl7Message.findFirstOrThrow({ where: { controlId: withNul.controlId } });
    assert.equal(row.status, 'PROCESSED');
    assert.ok(row.raw.includes('NUL\uFFFDNAME'));
  });

  it('enhanced mode: a commit ACK once stored, then the application ACK MSH-16 asks for', async () => {
    const enhanced = msh('ADT^A08^ADT_A01', { acceptAck: 'AL', appAck: 'AL' });
    const [commit, application] = await rawMllp(port, [frame(hl7(enhanced.line, 'PID|1||MRN500^^^HOSP^MR||ENH^ED'))], 2);
    assert.equal(ackCode(commit), 'CA');
    assert.equal(ackCode(application), 'AA');
    const errorsOnly = msh('ADT^A08^ADT_A01', { acceptAck: 'NE', appAck: 'ER' });
    const failing = msh('ADT^A08^ADT_A01', { acceptAck: 'NE', appAck: 'ER' });
    // No answer for the good one (NE/ER), an AE for the bad one: the only frame that comes back
    const [only] = await rawMllp(port, [frame(hl7(errorsOnly.line, 'PID|1||MRN501^^^HOSP^MR||ENH^ER')), frame(hl7(failing.line, 'PID|1||'))], 1);
    assert.equal(ackCode(only), 'AE');
    assert.equal(segment(only, 'MSA')?.[2], failing.controlId);
  });
});
