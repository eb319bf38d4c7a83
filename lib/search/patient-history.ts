// A patient's imaging history for the patient page: demographics and every
// study, newest first, with its series (for thumbnails and body parts), from
// the index only. A patient outside the caller's scope is not found, exactly
// like a missing one; with only a study granted (a teleconsultation), the
// history holds that study alone.
//
// One patient across facilities: when the record is linked to the person's
// records in other facilities (lib/patients), the history holds their
// studies too — only those the caller may read, each labelled with its
// facility. A linked record the caller cannot read adds nothing and is not
// named.
import { scopeAllows, type AccessScope } from '../../pacs-core/access';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import type { Database } from '../../prisma/database';
import { linkedRecordsOf, type LinkedRecord, type PatientRecord } from '../patients/linked-records';

export interface HistoryStudy {
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  description: string;
  accessionNumber: string;
  modalities: string[];
  numberOfSeries: number;
  numberOfInstances: number;
  /** The facility whose copy this is, and the patient record (Patient.id) it is filed under */
  facility: { id: string; code: string; name: string };
  patientRef: string;
  series: { seriesInstanceUid: string; modality: string; bodyPart: string; description: string; seriesNumber: number | null; numberOfInstances: number }[];
}

export interface PatientHistory extends PatientRecord {
  /** This record's readable studies and those of its linked records, newest first */
  studies: HistoryStudy[];
  /** The person's other records in facilities the caller may read */
  linkedRecords: LinkedRecord[];
  /** IMAGES (as the modalities sent them) | HIS (an ADT message updated them, at demographicsAt) */
  demographicsSource: string;
  demographicsAt: Date | null;
  /** Set when this record was merged into another (ADT^A40): the surviving Patient.id */
  mergedIntoRef: string | null;
}

const STUDY_FIELDS = {
  id: true,
  patientRef: true,
  studyInstanceUid: true,
  studyDate: true,
  studyTime: true,
  description: true,
  accessionNumber: true,
  modalities: true,
  numberOfSeries: true,
  numberOfInstances: true,
  facility: { select: { id: true, code: true, name: true } },
  series: {
    orderBy: [{ seriesNumber: 'asc' as const }, { id: 'asc' as const }],
    select: { seriesInstanceUid: true, modality: true, bodyPart: true, description: true, seriesNumber: true, numberOfInstances: true },
  },
};

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
      demographicsSource: true,
      demographicsAt: true,
      mergedIntoRef: true,
      facility: { select: { id: true, code: true, name: true } },
      studies: { select: STUDY_FIELDS },
    },
  });
  if (!patient) return null;
  // A member of the facility sees the whole history; a study granted on its
  // own (a teleconsultation) shows that study only, not the patient's others.
  const linked = await linkedRecordsOf(db, patient.id);
  const linkedStudies = linked.length ? await db.study.findMany({ where: { patientRef: { in: linked.map((record) => record.id) } }, select: STUDY_FIELDS }) : [];
  // Studies of the viewer's facilities are readable as such; any other is readable only through an active grant
  const outside = [...patient.studies, ...linkedStudies].filter((study) => !scopeAllows(scope, study.facility.id));
  const granted = outside.length ? await readableStudyIds(db, scope, outside.map((study) => study.id)) : new Set<string>();
  const readable = (study: { id: string; facility: { id: string } }) => scopeAllows(scope, study.facility.id) || granted.has(study.id);
  const own = patient.studies.filter(readable);
  if (!own.length && !scopeAllows(scope, patient.facility.id)) return null;
  const studies = [...own, ...linkedStudies.filter(readable)].sort((a, b) => descending(a.studyDate, b.studyDate) || descending(a.studyTime, b.studyTime) || descending(a.id, b.id));
  return {
    ...patient,
    studies: studies.map(({ id: _id, ...study }) => ({ ...study, modalities: study.modalities.split('\\').filter(Boolean) })),
    linkedRecords: linked.filter((record) => scopeAllows(scope, record.facility.id)),
  };
}

/** Newest first, comparing code units like the database's ORDER BY on these columns. */
function descending(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
