// Deleting a study on a real archive: rows, files and cached metadata go,
// other studies stay, and the same UIDs can be stored again without any
// stale cache answering for them.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createArchiveHarness, type ArchiveHarness } from '../test/support/archive-harness';
import { filesUnder } from '../test/support/stow';
import { makeStudy } from '../test/support/fixtures';
import { deleteStudy } from './delete-study';
import { seriesMetadataText } from './dicomweb/series-metadata-cache';
import { ArchiveError } from './errors';

describe('deleteStudy', () => {
  let h: ArchiveHarness;
  const origin = { kind: 'import', source: 'delete-test' } as const;
  before(async () => {
    h = await createArchiveHarness();
  });
  after(async () => {
    await h.cleanup();
  });

  async function seriesJson(seriesInstanceUid: string): Promise<unknown[]> {
    const series = await h.db.series.findFirstOrThrow({ where: { seriesInstanceUid }, select: { id: true, seriesInstanceUid: true, metadataVersion: true } });
    return JSON.parse(await seriesMetadataText(h.archive, series, 'http://x/dicomweb')) as unknown[];
  }

  it('removes the rows, the files and the cached metadata, keeps the other studies, and lets the study come again', async () => {
    const doomed = makeStudy({ patientId: 'DEL-1', series: 1, instancesPerSeries: 3, seed: 'del-doomed' });
    const kept = makeStudy({ patientId: 'DEL-1', series: 1, instancesPerSeries: 1, seed: 'del-kept' });
    for (const file of [...doomed, ...kept]) await h.archive.ingest(file, origin, h.facilityId);
    assert.equal((await seriesJson(doomed.seriesInstanceUids[0])).length, 3, 'metadata cached with 3 instances');
    const filesBefore = filesUnder(path.join(h.dataDir, 'store')).length;

    const deleted = await deleteStudy(h.archive, doomed.studyInstanceUid, h.facilityId);
    assert.deepEqual([deleted.series, deleted.instances, deleted.patientRemoved, deleted.filesLeft], [1, 3, false, 0]);
    assert.equal(await h.db.study.count({ where: { studyInstanceUid: doomed.studyInstanceUid } }), 0);
    assert.equal(await h.db.instance.count({ where: { sopInstanceUid: { in: doomed.sopInstanceUids[0] } } }), 0);
    assert.equal(filesUnder(path.join(h.dataDir, 'store')).length, filesBefore - 3);
    assert.equal(await h.db.study.count({ where: { studyInstanceUid: kept.studyInstanceUid } }), 1, 'the other study of the patient stays');

    // The same study again, with one image only: its metadata must say one, not the cached three
    await h.archive.ingest(doomed[0], origin, h.facilityId);
    assert.equal((await seriesJson(doomed.seriesInstanceUids[0])).length, 1);
  });

  it('serves no cached metadata of a deleted series when the same series comes again at the same version', async () => {
    const study = makeStudy({ patientId: 'DEL-3', series: 1, instancesPerSeries: 2, seed: 'del-version' });
    const sopOf = (json: unknown[]) => (json[0] as Record<string, { Value?: unknown[] }>)['00080018']?.Value?.[0];
    await h.archive.ingest(study[0], origin, h.facilityId);
    assert.equal(sopOf(await seriesJson(study.seriesInstanceUids[0])), study.sopInstanceUids[0][0], 'cached at version 1 with the first image');
    await deleteStudy(h.archive, study.studyInstanceUid, h.facilityId);
    await h.archive.ingest(study[1], origin, h.facilityId); // version 1 again, another image
    assert.equal(sopOf(await seriesJson(study.seriesInstanceUids[0])), study.sopInstanceUids[0][1]);
  });

  it('removes the patient with its last study, and answers NOT_FOUND for an unknown study', async () => {
    const only = makeStudy({ patientId: 'DEL-2', series: 2, instancesPerSeries: 1, seed: 'del-only' });
    for (const file of only) await h.archive.ingest(file, origin, h.facilityId);
    const deleted = await deleteStudy(h.archive, only.studyInstanceUid, h.facilityId);
    assert.equal(deleted.patientRemoved, true);
    assert.equal(await h.db.patient.count({ where: { patientId: 'DEL-2' } }), 0);
    await assert.rejects(deleteStudy(h.archive, only.studyInstanceUid, h.facilityId), (error: unknown) => error instanceof ArchiveError && error.code === 'NOT_FOUND');
  });
});
