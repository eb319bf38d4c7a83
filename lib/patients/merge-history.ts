// The patient page's merge history: the records merged into this one (ADT^A40
// from the HIS, or an administrator), newest first, with what moved. Like the
// orders, it is the record's facility's: members only ([] for a reader who
// holds a granted study alone).
import { scopeAllows, type AccessScope } from '../../pacs-core/access';
import type { Database } from '../../prisma/database';

export interface PatientMergeEntry {
  id: string;
  mergedPatientId: string;
  mergedIssuer: string;
  mergedName: string;
  studiesMoved: number;
  ordersMoved: number;
  /** HL7 | ADMIN */
  source: string;
  mergedAt: Date;
}

export async function mergeHistory(db: Database, scope: AccessScope, patient: { id: string; facility: { id: string } }): Promise<PatientMergeEntry[]> {
  if (!scopeAllows(scope, patient.facility.id)) return [];
  return db.patientMerge.findMany({
    where: { survivingRef: patient.id },
    orderBy: [{ mergedAt: 'desc' }, { id: 'desc' }],
    take: 200,
    select: { id: true, mergedPatientId: true, mergedIssuer: true, mergedName: true, studiesMoved: true, ordersMoved: true, source: true, mergedAt: true },
  });
}
