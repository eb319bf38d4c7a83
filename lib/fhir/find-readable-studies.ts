// The study copies a FHIR search is about (by patient, by study), narrowed to
// the ones the caller may read: the same read scope as the archive and the
// portal (lib/policy/read-scope.ts). What is out of scope is simply absent.
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import type { Database } from '../../prisma/database';
import { readScopeFor } from '../policy/read-scope';
import { issuerMatches, type TokenValue } from './search-params';

export interface StudyCriteria {
  patientIdentifier?: TokenValue;
  /** Patient row id (?subject=Patient/<id>) */
  patientRef?: string;
  /** Study row id (ImagingStudy/<id>) */
  studyRef?: string;
  studyInstanceUid?: string;
}

/** At most this many study copies per search (the Bundle says so when cut) */
export const MAX_STUDIES = 500;

const studySelect = {
  id: true,
  facilityId: true,
  studyInstanceUid: true,
  studyDate: true,
  accessionNumber: true,
  description: true,
  modalities: true,
  numberOfSeries: true,
  numberOfInstances: true,
  patient: { select: { id: true, patientId: true, issuer: true, name: true } },
  series: { select: { seriesInstanceUid: true, seriesNumber: true, modality: true, description: true, numberOfInstances: true }, orderBy: { seriesNumber: 'asc' } },
} as const;

export type FhirStudyRow = Awaited<ReturnType<typeof findStudyRows>>[number];

function findStudyRows(db: Database, criteria: StudyCriteria) {
  return db.study.findMany({
    where: {
      ...(criteria.studyRef ? { id: criteria.studyRef } : {}),
      ...(criteria.studyInstanceUid ? { studyInstanceUid: criteria.studyInstanceUid } : {}),
      ...(criteria.patientRef ? { patientRef: criteria.patientRef } : {}),
      ...(criteria.patientIdentifier ? { patient: { patientId: criteria.patientIdentifier.value } } : {}),
    },
    select: studySelect,
    orderBy: [{ studyDate: 'desc' }, { id: 'asc' }],
    take: MAX_STUDIES,
  });
}

export async function findReadableStudies(db: Database, userId: string, criteria: StudyCriteria): Promise<FhirStudyRow[]> {
  const rows = (await findStudyRows(db, criteria)).filter((row) => !criteria.patientIdentifier || issuerMatches(criteria.patientIdentifier, row.patient.issuer));
  const readable = await readableStudyIds(db, await readScopeFor(db, userId), rows.map((row) => row.id));
  return rows.filter((row) => readable.has(row.id));
}
