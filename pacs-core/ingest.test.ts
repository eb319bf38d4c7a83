import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { filesUnder } from '../test/support/stow';
import { createArchiveHarness, type ArchiveHarness } from '../test/support/archive-harness';
import { ArchiveError } from './errors';
import { peekUids } from './dicom/parse-instance';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

let counter = 0;
function uid(): string {
  counter += 1;
  return `2.25.${process.pid}${Date.now()}${counter}`;
}

function makeFile(fields: Record<string, unknown> = {}): Buffer {
  const sopInstanceUid = (fields.SOPInstanceUID as string) ?? uid();
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: '1.2.826.0.1.3680043.2.1125.1',
    SeriesInstanceUID: '1.2.826.0.1.3680043.2.1125.1.1',
    PatientName: 'Müller^Jürgen',
    PatientID: 'MRN-001',
    PatientBirthDate: '19700101',
    PatientSex: 'M',
    StudyDate: '20240102',
    StudyTime: '101500',
    AccessionNumber: 'ACC1',
    Modality: 'CT',
    InstanceNumber: '1',
    Rows: 4,
    Columns: 4,
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelData: new Uint16Array(16).map((_, i) => i * 100).buffer,
    ...fields,
  };
  const meta = DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '1.2.826.0.1.3680043.9.7433.1.1',
  });
  const dict = new DicomDict(meta);
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

describe('archive.ingest', () => {
  let h: ArchiveHarness;
  before(async () => {
    h = await createArchiveHarness();
  });
  after(async () => {
    await h.cleanup();
  });

  it('stores the file byte for byte and indexes patient, study, series and instance', async () => {
    const bytes = makeFile();
    const result = await h.archive.ingest(bytes, { kind: 'stow', principalLabel: 't' }, h.facilityId);
    assert.equal(result.status, 'stored');
    const instance = await h.db.instance.findFirstOrThrow({ where: { sopInstanceUid: result.sopInstanceUid } });
    assert.deepEqual(await h.archive.store.get(instance.blobKey), bytes);
    const study = await h.db.study.findFirstOrThrow({
      where: { studyInstanceUid: result.studyInstanceUid },
      include: { patient: true },
    });
    assert.equal(study.patient.name, 'Müller^Jürgen');
    assert.equal(study.patient.nameSearch, 'MULLER JURGEN');
    assert.equal(study.modalities, '\\CT\\');
    assert.equal(study.numberOfInstances, 1);
    assert.equal(study.numberOfSeries, 1);
    const frames = JSON.parse(instance.frameIndex) as [number, number][][];
    assert.equal(frames.length, 1);
    assert.equal(frames[0][0][1], 32); // 4x4x16 bits
    assert.deepEqual(bytes.subarray(frames[0][0][0], frames[0][0][0] + 2), Buffer.from([0, 0]));
    assert.deepEqual(bytes.subarray(frames[0][0][0] + 2, frames[0][0][0] + 4), Buffer.from([100, 0]));
    const metadata = JSON.parse(instance.metadata) as Record<string, { BulkDataURI?: string; Value?: unknown[] }>;
    assert.match(metadata['7FE00010'].BulkDataURI ?? '', /^\{\+base\}\/studies\/.+\/bulkdata\/7FE00010$/);
    assert.deepEqual(metadata['00100010'].Value, [{ Alphabetic: 'Müller^Jürgen' }]);
  });

  it('treats an identical re-send as success and keeps one row', async () => {
    const bytes = makeFile({ SOPInstanceUID: '1.2.3.4.5.6.7' });
    const first = await h.archive.ingest(bytes, { kind: 'stow', principalLabel: 't' }, h.facilityId);
    const second = await h.archive.ingest(bytes, { kind: 'stow', principalLabel: 't' }, h.facilityId);
    assert.equal(first.status, 'stored');
    assert.equal(second.status, 'duplicate');
    assert.equal(await h.db.instance.count({ where: { sopInstanceUid: '1.2.3.4.5.6.7' } }), 1);
  });

  it('keeps the first instance when different content arrives under the same SOP Instance UID', async () => {
    const original = makeFile({ SOPInstanceUID: '1.2.3.4.5.6.8', InstanceNumber: '1' });
    const changed = makeFile({ SOPInstanceUID: '1.2.3.4.5.6.8', InstanceNumber: '2' });
    await h.archive.ingest(original, { kind: 'stow', principalLabel: 't' }, h.facilityId);
    await assert.rejects(
      h.archive.ingest(changed, { kind: 'stow', principalLabel: 't' }, h.facilityId),
      (error: unknown) => error instanceof ArchiveError && error.code === 'DUPLICATE_CONFLICT',
    );
    const row = await h.db.instance.findFirstOrThrow({ where: { sopInstanceUid: '1.2.3.4.5.6.8' } });
    assert.deepEqual(await h.archive.store.get(row.blobKey), original);
  });

  it('rejects input that is not DICOM, truncated, or without UIDs, and leaves nothing behind', async () => {
    const before = filesUnder(path.join(h.dataDir, 'store')).length;
    const instancesBefore = await h.db.instance.count();
    const good = makeFile();
    const cases: [string, Buffer, string][] = [
      ['plain text', Buffer.from('hello, this is not an image'), 'NOT_DICOM'],
      ['truncated', good.subarray(0, good.length - 20), 'TRUNCATED'],
      ['truncated header', good.subarray(0, 300), 'TRUNCATED'],
      ['no SOP Instance UID', makeFile({ SOPInstanceUID: '' }), 'MISSING_UID'],
      ['invalid Study UID', makeFile({ StudyInstanceUID: '1.2.abc' }), 'MISSING_UID'],
    ];
    for (const [label, bytes, code] of cases) {
      await assert.rejects(
        h.archive.ingest(bytes, { kind: 'stow', principalLabel: 't' }, h.facilityId),
        (error: unknown) => error instanceof ArchiveError && error.code === code && error.message.length > 10,
        label,
      );
    }
    assert.equal(filesUnder(path.join(h.dataDir, 'store')).length, before);
    assert.equal(await h.db.instance.count(), instancesBefore);
  });

  it('refuses a dataset whose SOP Class or Instance UID is not the one its C-STORE command announced, keeping nothing', async () => {
    const before = filesUnder(path.join(h.dataDir, 'store')).length;
    const file = makeFile({ SOPInstanceUID: '1.2.3.4.5.6.77' });
    const sopClassUid = peekUids(file).sopClassUid ?? '';
    for (const expectedSop of [
      { sopClassUid: '1.2.840.10008.5.1.4.1.1.4', sopInstanceUid: '1.2.3.4.5.6.77' },
      { sopClassUid, sopInstanceUid: '1.2.3.4.5.6.78' },
    ]) {
      await assert.rejects(
        h.archive.ingest(file, { kind: 'dimse', callingAet: 'CT1', remoteAddress: '' }, h.facilityId, { expectedSop }),
        (error: unknown) => error instanceof ArchiveError && error.code === 'BAD_REQUEST' && /is not the command's/.test(error.message),
      );
    }
    assert.equal(filesUnder(path.join(h.dataDir, 'store')).length, before);
    const stored = await h.archive.ingest(file, { kind: 'dimse', callingAet: 'CT1', remoteAddress: '' }, h.facilityId, { expectedSop: { sopClassUid, sopInstanceUid: '1.2.3.4.5.6.77' } });
    assert.equal(stored.status, 'stored');
  });

  it('does not merge a study of another facility with the same Study Instance UID: each facility gets its own copy', async () => {
    const studyUid = uid();
    await h.archive.ingest(makeFile({ StudyInstanceUID: studyUid, SeriesInstanceUID: uid() }), { kind: 'stow', principalLabel: 't' }, h.facilityId);
    const other = await h.archive.ingest(makeFile({ StudyInstanceUID: studyUid, SeriesInstanceUID: uid() }), { kind: 'stow', principalLabel: 't' }, h.otherFacilityId);
    assert.equal(other.status, 'stored');
    const copies = await h.db.study.findMany({ where: { studyInstanceUid: studyUid }, select: { facilityId: true, numberOfInstances: true } });
    assert.deepEqual(copies.map((copy) => [copy.facilityId, copy.numberOfInstances]).sort(), [[h.facilityId, 1], [h.otherFacilityId, 1]].sort());
  });

  it('ingests a multi-series study concurrently with consistent counters', async () => {
    const studyUid = uid();
    const series = [uid(), uid(), uid()];
    const files = series.flatMap((seriesUid, s) =>
      Array.from({ length: 5 }, (_, i) =>
        makeFile({ StudyInstanceUID: studyUid, SeriesInstanceUID: seriesUid, Modality: s === 2 ? 'SR' : 'CT', InstanceNumber: String(i + 1) }),
      ),
    );
    const results = await Promise.all(files.map((f) => h.archive.ingest(f, { kind: 'stow', principalLabel: 't' }, h.facilityId)));
    assert.ok(results.every((r) => r.status === 'stored'));
    const study = await h.db.study.findFirstOrThrow({ where: { studyInstanceUid: studyUid }, include: { series: true } });
    assert.equal(study.numberOfInstances, 15);
    assert.equal(study.numberOfSeries, 3);
    assert.equal(study.modalities, '\\CT\\SR\\');
    assert.deepEqual(study.series.map((s) => s.numberOfInstances), [5, 5, 5]);
  });

  it('keeps counters exact when images of one series arrive concurrently, while another series of the study is created', async () => {
    const studyUid = uid();
    const [seriesA, seriesB] = [uid(), uid()];
    const stow = { kind: 'stow', principalLabel: 't' } as const;
    // The first image creates the rows; the next 20 take the per-image path
    // (InstanceWriter) at once, interleaved with the creation of series B
    // through Prisma.
    await h.archive.ingest(makeFile({ StudyInstanceUID: studyUid, SeriesInstanceUID: seriesA }), stow, h.facilityId);
    const files = [
      ...Array.from({ length: 20 }, (_, i) => makeFile({ StudyInstanceUID: studyUid, SeriesInstanceUID: seriesA, InstanceNumber: String(i + 2) })),
      ...Array.from({ length: 5 }, (_, i) => makeFile({ StudyInstanceUID: studyUid, SeriesInstanceUID: seriesB, InstanceNumber: String(i + 1) })),
    ];
    const results = await Promise.all(files.map((f) => h.archive.ingest(f, stow, h.facilityId)));
    assert.ok(results.every((r) => r.status === 'stored'));
    const study = await h.db.study.findFirstOrThrow({ where: { studyInstanceUid: studyUid }, include: { series: { orderBy: { numberOfInstances: 'desc' } } } });
    assert.equal(study.numberOfInstances, 26);
    assert.equal(study.numberOfSeries, 2);
    assert.deepEqual(study.series.map((s) => [s.numberOfInstances, s.metadataVersion]), [[21, 21], [5, 5]]);
    assert.equal(await h.db.instance.count({ where: { series: { studyRef: study.id } } }), 26);
  });

  it('writes instance rows that Prisma reads back as it would have written them', async () => {
    const before = Date.now();
    const bytes = makeFile({ InstanceNumber: '7' });
    const result = await h.archive.ingest(bytes, { kind: 'dimse', callingAet: 'CT1' }, h.facilityId);
    const row = await h.db.instance.findUniqueOrThrow({ where: { id: result.instanceId }, include: { series: true } });
    assert.equal(row.sopInstanceUid, result.sopInstanceUid);
    assert.equal(row.seriesRef, row.series.id);
    assert.equal(row.instanceNumber, 7);
    assert.equal(row.size, bytes.length);
    assert.equal(row.tier, 'short');
    assert.equal(row.numberOfFrames, 1);
    assert.equal(row.origin, 'dimse:CT1');
    assert.ok(row.createdAt instanceof Date);
    assert.ok(row.createdAt.getTime() >= before - 1 && row.createdAt.getTime() <= Date.now() + 1, `createdAt ${row.createdAt.toISOString()}`);
    assert.equal(JSON.parse(row.attributes)['00200013'].Value[0], 7);
    // Stored in the same text form as a DateTime Prisma wrote itself (the series row's)
    const [stored] = await h.db.$queryRaw<{ instance: string; series: string }[]>`
      SELECT CAST(i."createdAt" AS TEXT) AS "instance", CAST(se."createdAt" AS TEXT) AS "series"
      FROM "Instance" i JOIN "Series" se ON se."id" = i."seriesRef" WHERE i."id" = ${result.instanceId}`;
    const shape = (text: string) => text.replace(/\.\d+/, '').replace(/\d/g, '0');
    assert.equal(shape(stored.instance), shape(stored.series));
  });

  it('makes the series again when another process deleted it after this one cached it (issue 20)', async () => {
    const [study, series] = [uid(), uid()];
    const first = await h.archive.ingest(makeFile({ StudyInstanceUID: study, SeriesInstanceUID: series, PatientID: 'MRN-GONE' }), { kind: 'stow', principalLabel: 't' }, h.facilityId);
    // Another process of the node deletes the study's rows: this one's known-series cache still names the series
    await h.db.instance.deleteMany({ where: { seriesRef: first.seriesId } });
    await h.db.series.deleteMany({ where: { id: first.seriesId } });
    await h.db.study.deleteMany({ where: { studyInstanceUid: study, facilityId: h.facilityId } });
    const second = await h.archive.ingest(makeFile({ StudyInstanceUID: study, SeriesInstanceUID: series, PatientID: 'MRN-GONE', InstanceNumber: '2' }), { kind: 'stow', principalLabel: 't' }, h.facilityId);
    assert.equal(second.status, 'stored');
    assert.notEqual(second.seriesId, first.seriesId, 'a new series row');
    const rows = await h.db.instance.findMany({ where: { series: { seriesInstanceUid: series } }, select: { sopInstanceUid: true } });
    assert.deepEqual(rows.map((row) => row.sopInstanceUid), [second.sopInstanceUid]);
    const studyRow = await h.db.study.findFirstOrThrow({ where: { studyInstanceUid: study, facilityId: h.facilityId } });
    assert.equal(studyRow.numberOfInstances, 1);
  });
});
