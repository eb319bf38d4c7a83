import type { AdminActor } from '../admin/context';
import type { AuditEventInput } from '../audit/write-audit-event';

/** The audit row of a node or facility administration change, done by `actor`. */
export function administrationAudit(actor: AdminActor, event: { action: string; facilityId: string | null; resource: string; details?: Record<string, unknown> }): AuditEventInput {
  return { actor: actor.email, actorUserId: actor.userId, sourceIp: actor.ip, outcome: 'SUCCESS', ...event };
}
