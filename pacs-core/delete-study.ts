// Deleting a study (an administrator's decision, with a reason the caller
// audits): one facility's copy of it (each facility holds its own copy;
// another facility's copy of the same UID is untouched). Index rows first, in
// one transaction, then the derived caches, then the files. The order keeps
// ingest's invariant: a crash in between leaves files without rows (harmless,
// overwritten by a re-send), never rows without files. The patient row goes
// too when no other study is left, unless the patient's consents hang on it
// (a consent is the patient's record of a decision, kept after the images go).
//
// A file may be shared: identical bytes stored by several facilities are
// stored once, and each copy's Instance row points at it. A file is removed
// only when no Instance row references its key any more, checked under the
// per-SOP lock of ingest: an ingest of the same bytes that found this copy's
// row (and points its new row at the file) holds that lock until its row is
// committed, so the check either sees its row and keeps the file, or runs
// first, and the ingest then finds no row and writes a file of its own.
import type { Archive } from './archive';
import { forgetSeriesMetadata } from './dicomweb/series-metadata-cache';
import { ArchiveError } from './errors';
import { forgetIndexedSeries, withSopLock, withStudyLock } from './ingest';

export interface DeletedStudy {
  studyInstanceUid: string;
  facilityId: string;
  patientId: string;
  series: number;
  instances: number;
  bytes: number;
  patientRemoved: boolean;
  /** Files that could not be removed (logged; they hold no index rows any more) */
  filesLeft: number;
  /** Files kept because another facility's copy still references them */
  filesShared: number;
}

export async function deleteStudy(archive: Archive, studyInstanceUid: string, facilityId: string): Promise<DeletedStudy> {
  const deleted = await withStudyLock(archive, studyInstanceUid, () => deleteRows(archive, studyInstanceUid, facilityId));
  // Files after the study lock is released: ingest takes the per-SOP lock
  // before the study lock, so taking them the other way round could deadlock.
  let filesLeft = 0;
  let filesShared = 0;
  for (const blob of deleted.blobs) {
    try {
      const removed = await withSopLock(archive, blob.sopInstanceUid, async () => {
        if (await archive.db.instance.findFirst({ where: { blobKey: blob.blobKey }, select: { id: true } })) return false;
        await archive.store.delete(blob.blobKey);
        return true;
      });
      if (!removed) filesShared += 1;
    } catch (error) {
      filesLeft += 1;
      archive.logger.error('could not remove a file of a deleted study', { blobKey: blob.blobKey, error: String(error) });
    }
  }
  archive.events.emit('study.deleted', { studyInstanceUid, facilityId });
  const { blobs, ...summary } = deleted;
  return { ...summary, instances: blobs.length, bytes: blobs.reduce((sum, blob) => sum + blob.size, 0), filesLeft, filesShared };
}

async function deleteRows(archive: Archive, studyInstanceUid: string, facilityId: string) {
  const study = await archive.db.study.findUnique({
    where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid } },
    select: {
      id: true,
      facilityId: true,
      patientRef: true,
      patient: { select: { patientId: true } },
      series: { select: { id: true, instances: { select: { blobKey: true, size: true, sopInstanceUid: true } } } },
    },
  });
  if (!study) throw new ArchiveError('NOT_FOUND', `study ${studyInstanceUid} not found`);
  const seriesIds = study.series.map((series) => series.id);
  const blobs = study.series.flatMap((series) => series.instances);

  const remove = () =>
    archive.db.$transaction(async (tx) => {
      await tx.instance.deleteMany({ where: { seriesRef: { in: seriesIds } } });
      await tx.series.deleteMany({ where: { studyRef: study.id } });
      await tx.study.delete({ where: { id: study.id } });
      const others = await tx.study.count({ where: { patientRef: study.patientRef } });
      const consents = others === 0 ? await tx.consent.count({ where: { patientRef: study.patientRef } }) : 0;
      const removed = others === 0 && consents === 0;
      if (removed) await tx.patient.delete({ where: { id: study.patientRef } });
      return removed;
    });
  const patientRemoved = archive.instanceWriter ? await archive.instanceWriter.withoutInterleavedCommits(remove) : await remove();

  forgetIndexedSeries(archive, seriesIds);
  for (const seriesId of seriesIds) await forgetSeriesMetadata(archive, seriesId);
  return {
    studyInstanceUid,
    facilityId: study.facilityId,
    patientId: study.patient.patientId,
    series: study.series.length,
    patientRemoved,
    blobs,
  };
}
