import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { authorizeMemberAdministration } from '../policy/admin-area';
import { ZMemberRole } from './invite-member.types';

/**
 * Gives a member exactly one role in this facility (their roles elsewhere are
 * untouched). An admin cannot drop their own ADMIN role, so a facility never
 * loses its last administrator through this page.
 */
export async function changeMemberRole(context: AdminContext, actor: AdminActor, facilityId: string, targetUserId: string, roleInput: unknown): Promise<void> {
  const { db } = context;
  await authorizeMemberAdministration(db, { adminUserId: actor.userId, facilityId, targetUserId, action: 'membership' });
  const role = parseInput(ZMemberRole, roleInput);
  if (targetUserId === actor.userId && role !== 'ADMIN') {
    throw new AdminError('NOT_ALLOWED', 'You cannot remove your own administrator role. Ask another administrator.');
  }
  await db.$transaction(async (tx) => {
    const before = await tx.membership.findMany({ where: { userId: targetUserId, facilityId }, select: { role: true } });
    await tx.membership.deleteMany({ where: { userId: targetUserId, facilityId, role: { not: role } } });
    if (!before.some((membership) => membership.role === role)) {
      await tx.membership.create({ data: { userId: targetUserId, facilityId, role } });
    }
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.change_role',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `user:${targetUserId}`,
      details: { from: before.map((membership) => membership.role).sort(), to: role },
    });
  });
}
