import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { authorizeMemberAdministration } from '../policy/admin-area';
import { ACCOUNT_LINK_TTL_MS, accountLinkPath, newLinkToken } from './account-links';
import type { CreatedAccountLink } from './invite-member';

/**
 * A one-time link with which a member sets a new password. The old password
 * keeps working until the link is used (a reset asked by mistake locks
 * nobody out); an older unused reset link stops working.
 */
export async function createPasswordReset(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  targetUserId: string,
  now = new Date(),
): Promise<CreatedAccountLink> {
  const { db } = context;
  await authorizeMemberAdministration(db, { adminUserId: actor.userId, facilityId, targetUserId, action: 'account' });
  const target = await db.user.findUniqueOrThrow({ where: { id: targetUserId }, select: { email: true, disabled: true } });
  if (target.disabled) throw new AdminError('NOT_ALLOWED', 'This account is disabled: enable it before resetting its password.');
  const { token, tokenHash } = newLinkToken();
  const expiresAt = new Date(now.getTime() + ACCOUNT_LINK_TTL_MS.RESET);
  await db.$transaction(async (tx) => {
    await tx.accountLink.updateMany({ where: { userId: targetUserId, purpose: 'RESET', usedAt: null }, data: { usedAt: now } });
    const link = await tx.accountLink.create({
      data: { purpose: 'RESET', tokenHash, facilityId, email: target.email, userId: targetUserId, createdById: actor.userId, createdAt: now, expiresAt },
    });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.reset_password',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `user:${targetUserId}`,
      details: { email: target.email, linkId: link.id, expiresAt: expiresAt.toISOString() },
    });
  });
  return { path: accountLinkPath('RESET', token), expiresAt };
}
