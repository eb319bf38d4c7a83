// For tests only: events stamped in the past (the audit view's date filters
// need old rows), through the same row builder as recordAudit, so a fixture
// cannot hold an action or details the map does not know.
import type { AuditAction } from './actions';
import { auditRow, type AuditDatabase, type AuditEvent } from './record-audit';

export async function insertPastAuditEvents(db: AuditDatabase, events: readonly (AuditEvent<AuditAction> & { at: Date })[]): Promise<void> {
  await db.auditEvent.createMany({ data: events.map(({ at, ...event }) => ({ ...auditRow(event as AuditEvent), at })) });
}
