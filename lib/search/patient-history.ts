// A patient's imaging history for the patient page: demographics and every
// study, newest first, with its series (for thumbnails and body parts), from
// the index only. A patient outside the caller's scope is not found, exactly
// like a missing one; with only a study granted (a teleconsultation), the
// history holds that study alone.
import { scopeAllows, type AccessScope } from '../../pacs-core/access';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import type { Database } from '../../prisma/database';

export interface PatientHistory {
  id: string;
  patientId: string;
  issuer: string;
  name: string;
  sex: string;
  birthDate: string;
  facility: { id: string; code: string; name: string };
  studies: {
    studyInstanceUid: string;
    studyDate: string;
    studyTime: string;
    description: string;
    accessionNumber: string;
    modalities: string[];
    numberOfSeries: number;
    numberOfInstances: number;
    series: { seriesInstanceUid: string; modality: string; bodyPart: string; description: string; seriesNumber: number | null; numberOfInstances: number }[];
  }[];
}

export async function patientHistory(db: Database, scope: AccessScope, id: string): Promise<PatientHistory | null> {
  const patient = await db.patient.findUnique({
    where: { id },
    select: {
      id: true,
      patientId: true,
      issuer: true,
      name: true,
      sex: true,
      birthDate: true,
      facility: { select: { id: true, code: true, name: true } },
      studies: {
        orderBy: [{ studyDate: 'desc' }, { studyTime: 'desc' }, { id: 'desc' }],
        select: {
          id: true,
          studyInstanceUid: true,
          studyDate: true,
          studyTime: true,
          description: true,
          accessionNumber: true,
          modalities: true,
          numberOfSeries: true,
          numberOfInstances: true,
          series: {
            orderBy: [{ seriesNumber: 'asc' }, { id: 'asc' }],
            select: { seriesInstanceUid: true, modality: true, bodyPart: true, description: true, seriesNumber: true, numberOfInstances: true },
          },
        },
      },
    },
  });
  if (!patient) return null;
  // A member of the facility sees the whole history; a study granted on its
  // own (a teleconsultation) shows that study only, not the patient's others.
  const readable = scopeAllows(scope, patient.facility.id) ? null : await readableStudyIds(db, scope, patient.studies.map((study) => study.id));
  const studies = readable ? patient.studies.filter((study) => readable.has(study.id)) : patient.studies;
  if (!studies.length && readable) return null;
  return {
    ...patient,
    studies: studies.map(({ id: _id, ...study }) => ({ ...study, modalities: study.modalities.split('\\').filter(Boolean) })),
  };
}
