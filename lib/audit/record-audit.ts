// The one audit path: every event is built into its row here (auditRow) and
// written by recordAudit — inside the transaction of the change it records
// (pass the interactive transaction client `tx`: with the root client the row
// would commit on its own, prisma/orm#12277), or on the client for an event
// that stands alone. Reads go through the journalled queue (audit-queue.ts),
// which builds its rows with auditRow too.
import type { Database } from '../../prisma/database';
import { dicomAuditEventFor, type AuditAction, type AuditDetails } from './actions';

export type AuditOutcome = 'SUCCESS' | 'FAILURE' | 'DENIED';

interface AuditEventFields {
  /** email, "AE:CT1", "token:<name>", "anonymous" */
  actor: string;
  actorUserId?: string | null;
  outcome: AuditOutcome;
  facilityId?: string | null;
  patientId?: string | null;
  studyUid?: string | null;
  resource?: string;
  sourceIp?: string;
}

/** One event of action A with the details that action carries (lib/audit/actions.ts). */
export type AuditEvent<A extends AuditAction = AuditAction> = AuditEventFields & { action: A; details?: AuditDetails<A> };

/** Either the client or a transaction client: both have the auditEvent delegate. */
export type AuditDatabase = Pick<Database, 'auditEvent'>;

/** The AuditEvent row (without id and time, unless stamped: the queue stamps both at access time). */
export interface AuditRow {
  id?: string;
  at?: Date;
  actor: string;
  actorUserId: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  facilityId: string | null;
  patientId: string | null;
  studyUid: string | null;
  resource: string;
  sourceIp: string;
  details: string;
}

// An unbounded details blob (a huge query string, a stack) would bloat the
// audit table that admins must be able to read and export; 8 KiB is plenty.
const MAX_DETAILS_LENGTH = 8 * 1024;

function serializeDetails(action: AuditAction, given: object | undefined): string {
  // PS3.15 A.5.3: the DICOM audit event ID of the action, first, unless the caller chose one
  const eventId = dicomAuditEventFor(action);
  const details = eventId && (given as { eventId?: unknown } | undefined)?.eventId === undefined ? { eventId, ...given } : given;
  if (!details) return '{}';
  let text: string;
  try {
    text = JSON.stringify(details, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify({ unserializable: true });
  }
  return text.length <= MAX_DETAILS_LENGTH ? text : JSON.stringify({ truncated: text.slice(0, MAX_DETAILS_LENGTH) });
}

/**
 * What a caller named (an AE title, a sender, a path) is recorded as sent, except a NUL: no
 * PostgreSQL text can hold one, and an attacker's NUL must not cost the audit row. It is written
 * as the visible \0.
 */
function storable(text: string): string;
function storable(text: string | null): string | null;
function storable(text: string | null): string | null {
  return text === null || !text.includes('\u0000') ? text : text.replace(/\u0000/g, '\\0');
}

export function auditRow<A extends AuditAction>(event: AuditEvent<A>, stamp?: { id: string; at: Date }): AuditRow {
  return {
    ...stamp,
    actor: storable(event.actor),
    actorUserId: event.actorUserId ?? null,
    action: event.action,
    outcome: event.outcome,
    facilityId: event.facilityId ?? null,
    patientId: storable(event.patientId ?? null),
    studyUid: storable(event.studyUid ?? null),
    resource: storable(event.resource ?? ''),
    sourceIp: event.sourceIp ?? '',
    details: serializeDetails(event.action, event.details),
  };
}

/**
 * Writes one event with `db` — the transaction client of the change it
 * records, so that both commit or neither does. Throws like any write in
 * that transaction (a change that cannot be audited does not happen).
 */
export async function recordAudit<A extends AuditAction>(db: AuditDatabase, event: AuditEvent<A>): Promise<void> {
  await db.auditEvent.create({ data: auditRow(event) });
}
