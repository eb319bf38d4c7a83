// The study an operation on /studies/{uid} acts on: the copy the principal's
// read scope shows (lib/policy authorizeStudyAccess). A study they cannot read
// is refused exactly like one that does not exist, and the refusal is recorded
// for the study's owners (lib/audit/record-refused-attempt.ts).
import type { AuditAction } from '../audit/actions';
import { recordRefusedAttempt, type RefusalContext } from '../audit/record-refused-attempt';
import { DomainError } from '../errors';
import { authorizeStudyAccess, isPolicyError, readScopeFor, type AuthorizedStudy, type Principal } from '../policy';
import type { Database } from '../../prisma/database';

export interface StudyAttempt {
  /** The audit action of the operation, e.g. portal.study.delete */
  action: AuditAction;
  /** How it was asked for ("POST /api/studies/…/delete"), for the audit trail */
  resource: string;
}

export async function requireVisibleStudy(
  context: Omit<RefusalContext, 'db'> & { db: Database },
  principal: Principal,
  studyInstanceUid: string,
  attempt: StudyAttempt,
): Promise<AuthorizedStudy> {
  try {
    return await authorizeStudyAccess(context.db, await readScopeFor(context.db, principal.userId), studyInstanceUid);
  } catch (error) {
    if (!isPolicyError(error)) throw error;
    await recordRefusedAttempt(context, {
      actor: principal.email,
      actorUserId: principal.userId,
      sourceIp: principal.ip,
      action: attempt.action,
      target: { kind: 'study', studyInstanceUid },
      resource: attempt.resource,
    });
    throw new DomainError('NOT_FOUND', `study ${studyInstanceUid} not visible to ${principal.email}`, { userMessage: 'No such study.' });
  }
}
