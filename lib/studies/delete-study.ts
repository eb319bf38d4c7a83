// Deleting a study from the portal: only administrators of the study's
// facility, with a written reason that goes into the audit event with what was
// removed. A study the principal cannot read is NOT_FOUND (as if absent); one
// they can read but not administer (a teleconsultation's grant included) is
// FORBIDDEN. Each facility holds its own copy: deleting it leaves the others.
import type { Archive } from '../../pacs-core/archive';
import { deleteStudy as deleteArchivedStudy, type DeletedStudy } from '../../pacs-core/delete-study';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import { writeAuditEvent, type AuditOutcome } from '../audit/write-audit-event';
import { DomainError } from '../errors';
import { canAdministerFacility, type Principal } from '../policy';
import { requireVisibleStudy } from './visible-study';

export interface DeleteStudyContext {
  db: Database;
  archive: Archive;
  logger: Logger;
  shared: Map<string, unknown>;
}

export interface DeleteStudyInput {
  /** Why, 5 to 500 characters (REASON_REQUIRED otherwise) */
  reason: unknown;
  /** The request body could not be read (BAD_REQUEST, once access is settled) */
  unreadable?: boolean;
  /** How it was asked for, for the audit trail */
  resource: string;
}

export const DELETE_ACTION = 'portal.study.delete';

export async function deleteStudy(context: DeleteStudyContext, principal: Principal, studyInstanceUid: string, input: DeleteStudyInput): Promise<DeletedStudy> {
  const visible = await requireVisibleStudy(context, principal, studyInstanceUid, { action: DELETE_ACTION, resource: input.resource });
  const audit = (outcome: AuditOutcome, details: Record<string, unknown>) =>
    writeAuditEvent(
      context.db,
      {
        actor: principal.email,
        actorUserId: principal.userId,
        sourceIp: principal.ip,
        action: DELETE_ACTION,
        outcome,
        facilityId: visible.facilityId,
        patientId: visible.patientId,
        studyUid: studyInstanceUid,
        details,
      },
      context.logger,
    );
  // Whoever may read the study learns that they may not delete it; only its facility's administrators may.
  if (!(await canAdministerFacility(context.db, principal.userId, visible.facilityId))) {
    await audit('DENIED', { reason: 'not an administrator of the facility' });
    throw new DomainError('FORBIDDEN', 'Only an administrator of this facility may delete a study.');
  }
  if (input.unreadable) throw new DomainError('BAD_REQUEST', 'The request could not be read.');
  const reason = String(input.reason ?? '').trim();
  if (reason.length < 5 || reason.length > 500) throw new DomainError('REASON_REQUIRED', 'Give a reason of 5 to 500 characters.');

  const { description } = await context.db.study.findUniqueOrThrow({ where: { id: visible.id }, select: { description: true } });
  try {
    const deleted = await deleteArchivedStudy(context.archive, studyInstanceUid, visible.facilityId);
    await audit('SUCCESS', { reason, description, series: deleted.series, instances: deleted.instances, bytes: deleted.bytes, patientRemoved: deleted.patientRemoved });
    context.logger.info('study deleted', { studyUid: studyInstanceUid, by: principal.email, instances: deleted.instances });
    return deleted;
  } catch (error) {
    await audit('FAILURE', { reason, error: error instanceof Error ? error.message : String(error) });
    context.logger.error('study deletion failed', { studyUid: studyInstanceUid, error: String(error) });
    throw new DomainError('DELETE_FAILED', 'The study could not be deleted completely; the server log says why.');
  }
}
