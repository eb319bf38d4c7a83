// A refused attempt on a facility's administration (the policy said NOT_FOUND
// or FORBIDDEN): worth a trace for the node's administrators.
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import type { AdminActor } from '../admin/context';
import { writeAuditEvent } from './write-audit-event';

export async function recordDeniedAdministration(
  context: { db: Database; logger: Logger },
  actor: AdminActor,
  attempt: { resource: string; operation: string; reason: string },
): Promise<void> {
  await writeAuditEvent(
    context.db,
    {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.denied',
      outcome: 'DENIED',
      sourceIp: actor.ip,
      resource: attempt.resource,
      details: { operation: attempt.operation, reason: attempt.reason },
    },
    context.logger,
  );
}
