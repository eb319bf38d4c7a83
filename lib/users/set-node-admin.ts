import { z } from 'zod';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { administrationAudit } from '../admin/administration-audit';
import { PolicyError } from '../policy/errors';
import { authorizeNodeAdmin } from '../policy/node-admin';

export const ZGrantNodeAdminRequest = z
  .object({
    email: z.string({ error: 'Enter the email address of an existing account' }).trim().toLowerCase().min(1, 'Enter the email address of an existing account'),
  })
  .strict();

export interface NodeAdministrator {
  userId: string;
  email: string;
  name: string;
}

/** The node administrators (enabled or not), for the node page. */
export async function listNodeAdministrators(context: Pick<AdminContext, 'db'>, actorUserId: string): Promise<NodeAdministrator[]> {
  await authorizeNodeAdmin(context.db, actorUserId);
  const users = await context.db.user.findMany({ where: { nodeAdmin: true }, select: { id: true, email: true, name: true }, orderBy: { email: 'asc' } });
  return users.map((user) => ({ userId: user.id, email: user.email, name: user.name }));
}

/** A node administrator makes an existing, enabled account a node administrator too. */
export async function grantNodeAdmin(context: AdminContext, actor: AdminActor, input: unknown): Promise<NodeAdministrator> {
  const { db, logger } = context;
  await authorizeNodeAdmin(db, actor.userId);
  const { email } = parseInput(ZGrantNodeAdminRequest, input);
  const user = await db.user.findUnique({ where: { email }, select: { id: true, email: true, name: true, disabled: true, guest: true, nodeAdmin: true } });
  if (!user || user.guest || user.disabled) {
    const why = 'No enabled account has this email address. Invite the person to a facility first.';
    throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { email: why });
  }
  if (!user.nodeAdmin) {
    await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { nodeAdmin: true } });
      await recordAudit(tx, administrationAudit(actor, { action: 'admin.node_admin.grant', facilityId: null, resource: `user:${user.id}`, details: { email } }));
    });
  }
  return { userId: user.id, email: user.email, name: user.name };
}

/**
 * A node administrator takes the role back (from another, or from themselves),
 * never from the last enabled one: a node without one could not create or
 * re-enable a facility. Serializable, so two administrators removing each
 * other at the same moment cannot both succeed.
 */
export async function revokeNodeAdmin(context: AdminContext, actor: AdminActor, targetUserId: string): Promise<void> {
  const { db, logger } = context;
  await authorizeNodeAdmin(db, actor.userId);
  await db.$transaction(
    async (tx) => {
      const target = await tx.user.findFirst({ where: { id: targetUserId, nodeAdmin: true }, select: { email: true } });
      if (!target) throw new PolicyError('NOT_FOUND', 'not a node administrator');
      const othersEnabled = await tx.user.count({ where: { nodeAdmin: true, disabled: false, id: { not: targetUserId } } });
      if (othersEnabled === 0) throw new AdminError('NOT_ALLOWED', 'This is the last node administrator. Make someone else one first.');
      await tx.user.update({ where: { id: targetUserId }, data: { nodeAdmin: false } });
      await recordAudit(tx, administrationAudit(actor, { action: 'admin.node_admin.revoke', facilityId: null, resource: `user:${targetUserId}`, details: { email: target.email } }));
    },
    { isolationLevel: 'Serializable' },
  );
}
