import type { AccessScope } from '../../pacs-core/access';
import { findVisibleStudy } from '../../pacs-core/index/find-visible-study';
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
 * Resolves a study the caller may read: the copy its scope shows when several
 * facilities hold one (pacs-core findVisibleStudy). A study outside the caller's scope
 * fails exactly like a study that does not exist (NOT_FOUND, same message),
 * so probing UIDs reveals nothing.
 */
export async function authorizeStudyAccess(db: Database, scope: AccessScope, studyInstanceUid: string): Promise<AuthorizedStudy> {
  // The copy of the study this caller may see (each facility holds its own)
  const study = await findVisibleStudy(db, studyInstanceUid, scope);
  if (!study) throw new PolicyError('NOT_FOUND', 'study not found');
  return study;
}
