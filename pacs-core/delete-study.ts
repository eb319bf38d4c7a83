// Deleting a study (an administrator's decision, with a reason the caller
// audits): index rows first, in one transaction, then the derived caches,
// then the files. The order keeps ingest's invariant: a crash in between
// leaves files without rows (harmless, overwritten by a re-send), never rows
// without files. The patient row goes too when no other study is left.
import type { Archive } from './archive';
import { forgetSeriesMetadata } from './dicomweb/series-metadata-cache';
import { ArchiveError } from './errors';
import { forgetIndexedSeries, withStudyLock } from './ingest';

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
}

export async function deleteStudy(archive: Archive, studyInstanceUid: string): Promise<DeletedStudy> {
  return withStudyLock(studyInstanceUid, async () => {
    const study = await archive.db.study.findUnique({
      where: { studyInstanceUid },
      select: {
        id: true,
        facilityId: true,
        patientRef: true,
        patient: { select: { patientId: true } },
        series: { select: { id: true, seriesInstanceUid: true, instances: { select: { blobKey: true, size: true } } } },
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
        if (others === 0) await tx.patient.delete({ where: { id: study.patientRef } });
        return others === 0;
      });
    const patientRemoved = archive.instanceWriter ? await archive.instanceWriter.withoutInterleavedCommits(remove) : await remove();

    for (const series of study.series) {
      forgetIndexedSeries(archive, series.seriesInstanceUid);
      await forgetSeriesMetadata(archive, series.seriesInstanceUid);
    }
    let filesLeft = 0;
    for (const blob of blobs) {
      try {
        await archive.store.delete(blob.blobKey);
      } catch (error) {
        filesLeft += 1;
        archive.logger.error('could not remove a file of a deleted study', { blobKey: blob.blobKey, error: String(error) });
      }
    }
    archive.events.emit('study.deleted', { studyInstanceUid, facilityId: study.facilityId });
    return {
      studyInstanceUid,
      facilityId: study.facilityId,
      patientId: study.patient.patientId,
      series: study.series.length,
      instances: blobs.length,
      bytes: blobs.reduce((sum, blob) => sum + blob.size, 0),
      patientRemoved,
      filesLeft,
    };
  });
}
