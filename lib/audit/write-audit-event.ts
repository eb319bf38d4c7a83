// An event that records no change of ours (a sign-in, a refused request, a
// C-ECHO): written on its own, never throwing — a failed audit write must not
// turn a served request into an error for the clinician, but it must not
// vanish silently either, so the whole event goes to the log (which is
// collected). Same row builder as recordAudit (record-audit.ts). While the
// database is away (restart, failover) the event goes to the process's audit
// queue instead, which journals it and writes it when the database is back.
import { isDatabaseUnavailable } from '../../pacs-core/database-unavailable';
import type { Logger } from '../../pacs-core/logger';
import { auditQueueOfDatabase } from './audit-queue';
import type { AuditAction } from './actions';
import { auditRow, recordAudit, type AuditDatabase, type AuditEvent } from './record-audit';

export type { AuditDatabase, AuditEvent, AuditOutcome } from './record-audit';

export async function writeAuditEvent<A extends AuditAction>(db: AuditDatabase, event: AuditEvent<A>, logger: Logger): Promise<void> {
  try {
    await recordAudit(db, event);
  } catch (error) {
    const queue = isDatabaseUnavailable(error) ? auditQueueOfDatabase(db) : undefined;
    if (queue) return queue.enqueue(event);
    logger.error('audit event could not be written', {
      error: error instanceof Error ? error.message : String(error),
      auditEvent: auditRow(event),
    });
  }
}
