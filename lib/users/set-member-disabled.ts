import { administrationAudit } from '../admin/administration-audit';
import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { authorizeMemberAdministration } from '../policy/admin-area';

/**
 * Disables or re-enables an account. Disabling ends every session of it at
 * once and voids its unused password-reset links; its API tokens stop working
 * too (verifyApiToken refuses disabled users), and sign-in is refused.
 */
export async function setMemberDisabled(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  targetUserId: string,
  disabled: boolean,
  now = new Date(),
): Promise<{ sessionsEnded: number }> {
  const { db } = context;
  await authorizeMemberAdministration(db, { adminUserId: actor.userId, facilityId, targetUserId, action: 'account' });
  if (disabled && targetUserId === actor.userId) throw new AdminError('NOT_ALLOWED', 'You cannot disable your own account.');
  return db.$transaction(async (tx) => {
    const user = await tx.user.update({ where: { id: targetUserId }, data: { disabled }, select: { email: true, nodeAdmin: true } });
    // A node keeps one enabled node administrator (lib/users/set-node-admin.ts)
    if (disabled && user.nodeAdmin && (await tx.user.count({ where: { nodeAdmin: true, disabled: false } })) === 0) {
      throw new AdminError('NOT_ALLOWED', 'This account is the last node administrator. Make someone else one first.');
    }
    let sessionsEnded = 0;
    if (disabled) {
      sessionsEnded = (await tx.session.deleteMany({ where: { userId: targetUserId } })).count;
      await tx.accountLink.updateMany({ where: { userId: targetUserId, usedAt: null }, data: { usedAt: now } });
    }
    await recordAudit(
      tx,
      administrationAudit(actor, {
        action: disabled ? 'admin.disable_user' : 'admin.enable_user',
        facilityId,
        resource: `user:${targetUserId}`,
        details: { email: user.email, sessionsEnded },
      }),
    );
    return { sessionsEnded };
  });
}
