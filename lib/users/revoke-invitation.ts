import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { PolicyError } from '../policy/errors';
import { authorizeAdminArea } from '../policy/admin-area';

/** Withdraws an invitation still waiting: its link stops working at once. */
export async function revokeInvitation(context: AdminContext, actor: AdminActor, facilityId: string, invitationId: string, now = new Date()): Promise<void> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  await db.$transaction(async (tx) => {
    const link = await tx.accountLink.findFirst({ where: { id: invitationId, facilityId, purpose: 'INVITE', usedAt: null } });
    if (!link) throw new PolicyError('NOT_FOUND', 'invitation not found');
    await tx.accountLink.update({ where: { id: link.id }, data: { usedAt: now } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.revoke_invitation',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `account-link:${link.id}`,
      details: { email: link.email, role: link.role },
    });
  });
}
