// The one audit writer: every access to patient data and every sign-in leaves
// one AuditEvent row (who, what, when, outcome, from where).
import type { Database } from '../../prisma/database';
import type { Logger } from '../../pacs-core/logger';
import { dicomAuditEventFor } from './dicom-audit-events';

export type AuditOutcome = 'SUCCESS' | 'FAILURE' | 'DENIED';

export interface AuditEventInput {
  /** email, "AE:CT1", "token:<name>", "anonymous" */
  actor: string;
  actorUserId?: string | null;
  /** e.g. dicomweb.qido, dicomweb.stow, auth.sign_in */
  action: string;
  outcome: AuditOutcome;
  facilityId?: string | null;
  patientId?: string | null;
  studyUid?: string | null;
  resource?: string;
  sourceIp?: string;
  details?: Record<string, unknown>;
}

/** Either the client or a transaction client: both have the auditEvent delegate. */
export type AuditDatabase = Pick<Database, 'auditEvent'>;

// An unbounded details blob (a huge query string, a stack) would bloat the
// audit table that admins must be able to read and export; 8 KiB is plenty.
const MAX_DETAILS_LENGTH = 8 * 1024;

function serializeDetails(action: string, given: Record<string, unknown> | undefined): string {
  // PS3.15 A.5.3: the DICOM audit event ID of the action, first, unless the caller chose one
  const eventId = dicomAuditEventFor(action);
  const details = eventId && given?.eventId === undefined ? { eventId, ...given } : given;
  if (!details) return '{}';
  let text: string;
  try {
    text = JSON.stringify(details, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify({ unserializable: true });
  }
  return text.length <= MAX_DETAILS_LENGTH ? text : JSON.stringify({ truncated: text.slice(0, MAX_DETAILS_LENGTH) });
}

/** The row to create; for callers that write it inside their own $transaction. */
export function auditEventData(event: AuditEventInput) {
  return {
    actor: event.actor,
    actorUserId: event.actorUserId ?? null,
    action: event.action,
    outcome: event.outcome,
    facilityId: event.facilityId ?? null,
    patientId: event.patientId ?? null,
    studyUid: event.studyUid ?? null,
    resource: event.resource ?? '',
    sourceIp: event.sourceIp ?? '',
    details: serializeDetails(event.action, event.details),
  };
}

/**
 * Writes one AuditEvent. Never throws: a failed audit write must not turn a
 * served request into an error for the clinician, but it must not vanish
 * silently either, so the whole event goes to the log (which is collected).
 */
export async function writeAuditEvent(db: AuditDatabase, event: AuditEventInput, logger: Logger): Promise<void> {
  try {
    await db.auditEvent.create({ data: auditEventData(event) });
  } catch (error) {
    logger.error('audit event could not be written', {
      error: error instanceof Error ? error.message : String(error),
      auditEvent: auditEventData(event),
    });
  }
}
