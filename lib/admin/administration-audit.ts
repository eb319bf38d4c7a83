import type { AdminActor } from './context';
import type { AuditAction, AuditDetails } from '../audit/actions';
import type { AuditEvent } from '../audit/record-audit';

/** The audit row of a node or facility administration change, done by `actor`. */
export function administrationAudit<A extends AuditAction>(actor: AdminActor, event: { action: A; facilityId: string | null; resource: string; details?: AuditDetails<A> }): AuditEvent<A> {
  return { actor: actor.email, actorUserId: actor.userId, sourceIp: actor.ip, outcome: 'SUCCESS', ...event };
}
