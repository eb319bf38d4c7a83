import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { authorizeMemberAdministration } from '../policy/admin-area';

/**
 * For a member who lost their phone and their recovery codes: removes their
 * TOTP and recovery codes and ends their sessions (the phone may be in
 * someone else's hands). An account-wide change, so every facility the person
 * belongs to must be administered by the actor. At the next sign-in they set
 * up a new phone, at once if their facility requires it.
 */
export async function resetMemberSecondFactor(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  targetUserId: string,
): Promise<{ hadSecondFactor: boolean; sessionsEnded: number }> {
  const { db } = context;
  await authorizeMemberAdministration(db, { adminUserId: actor.userId, facilityId, targetUserId, action: 'account' });
  if (targetUserId === actor.userId) throw new AdminError('NOT_ALLOWED', 'Change your own second factor on your account page.');
  return db.$transaction(async (tx) => {
    const removed = await tx.totpFactor.deleteMany({ where: { userId: targetUserId } });
    await tx.recoveryCode.deleteMany({ where: { userId: targetUserId } });
    const sessionsEnded = (await tx.session.deleteMany({ where: { userId: targetUserId } })).count;
    const user = await tx.user.findUniqueOrThrow({ where: { id: targetUserId }, select: { email: true } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.reset_second_factor',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `user:${targetUserId}`,
      details: { email: user.email, hadSecondFactor: removed.count > 0, sessionsEnded },
    });
    return { hadSecondFactor: removed.count > 0, sessionsEnded };
  });
}
