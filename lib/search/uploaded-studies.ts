// What an upload stored, study by study: the upload page turns the STOW-RS
// answer (SOP Instance UIDs and their RetrieveURLs) into who and what — the
// patient, the study, links to both — from the index, for the studies the
// uploader may read (anyone else's copy is left out, like a study that does
// not exist).
import { findVisibleStudy } from '../../pacs-core/index/find-visible-study';
import type { Database } from '../../prisma/database';
import { readScopeFor } from '../policy';

/** One page of results: more studies than this in one upload are summarized by their count. */
export const MAX_SUMMARIZED_STUDIES = 100;

export interface UploadedStudy {
  studyInstanceUid: string;
  description: string;
  studyDate: string;
  modalities: string[];
  /** In the archive now, this upload's and any earlier ones */
  numberOfInstances: number;
  patient: { id: string; patientId: string; name: string };
  facility: { name: string };
}

/** The studies among `studyInstanceUids` that this user may read, in the order given. */
export async function summarizeUploadedStudies({ db }: { db: Database }, userId: string, studyInstanceUids: readonly string[]): Promise<UploadedStudy[]> {
  const scope = await readScopeFor(db, userId);
  const uids = [...new Set(studyInstanceUids)].slice(0, MAX_SUMMARIZED_STUDIES);
  const visible = (await Promise.all(uids.map((uid) => findVisibleStudy(db, uid, scope)))).filter((study) => study !== null);
  if (!visible.length) return [];
  const studies = await db.study.findMany({
    where: { id: { in: visible.map((study) => study.id) } },
    select: {
      id: true,
      studyInstanceUid: true,
      description: true,
      studyDate: true,
      modalities: true,
      numberOfInstances: true,
      patient: { select: { id: true, patientId: true, name: true } },
      facility: { select: { name: true } },
    },
  });
  // In the order the upload met them
  return visible.flatMap((entry) => {
    const study = studies.find((candidate) => candidate.id === entry.id);
    return study
      ? [
          {
            studyInstanceUid: study.studyInstanceUid,
            description: study.description,
            studyDate: study.studyDate,
            modalities: study.modalities.split('\\').filter(Boolean),
            numberOfInstances: study.numberOfInstances,
            patient: study.patient,
            facility: study.facility,
          },
        ]
      : [];
  });
}
