import { scopeAllows, type AccessScope } from '../../pacs-core/access';
import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';

export interface AuthorizedStudy {
  id: string;
  studyInstanceUid: string;
  facilityId: string;
  /** PatientID (0010,0020), for the audit trail */
  patientId: string;
}

/**
 * Resolves a study the caller may read. A study outside the caller's scope
 * fails exactly like a study that does not exist (NOT_FOUND, same message),
 * so probing UIDs reveals nothing.
 */
export async function authorizeStudyAccess(db: Database, scope: AccessScope, studyInstanceUid: string): Promise<AuthorizedStudy> {
  const study = await db.study.findUnique({
    where: { studyInstanceUid },
    select: { id: true, studyInstanceUid: true, facilityId: true, patient: { select: { patientId: true } } },
  });
  if (!study || !scopeAllows(scope, study.facilityId, study.studyInstanceUid)) {
    throw new PolicyError('NOT_FOUND', 'study not found');
  }
  return {
    id: study.id,
    studyInstanceUid: study.studyInstanceUid,
    facilityId: study.facilityId,
    patientId: study.patient.patientId,
  };
}
