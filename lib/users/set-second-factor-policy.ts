import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { authorizeAdminArea } from '../policy/admin-area';
import { isSecondFactorPolicy, membersBoundBy, type SecondFactorPolicy } from '../policy/second-factor';

export async function facilitySecondFactorPolicy(db: AdminContext['db'], facilityId: string): Promise<SecondFactorPolicy> {
  const facility = await db.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { secondFactorPolicy: true } });
  return isSecondFactorPolicy(facility.secondFactorPolicy) ? facility.secondFactorPolicy : 'NONE';
}

/**
 * A facility's rule for second factors: NONE, ADMINS or EVERYONE. Members it
 * now binds who have no second factor are not left signed in without one:
 * their open sessions turn into "enrol first" (the next page they open is the
 * enrolment), and their next sign-in asks for the enrolment after the password.
 */
export async function setSecondFactorPolicy(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  input: unknown,
): Promise<{ policy: SecondFactorPolicy; sessionsSentToEnrolment: number; heldSessionIds: string[] }> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const policy = (input as { policy?: unknown } | null)?.policy;
  if (!isSecondFactorPolicy(policy)) {
    const message = 'Choose who must use a second factor: nobody, administrators, or everyone.';
    throw new AdminError('INVALID_INPUT', message, { policy: message });
  }
  return db.$transaction(async (tx) => {
    const previous = (await tx.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { secondFactorPolicy: true } })).secondFactorPolicy;
    await tx.facility.update({ where: { id: facilityId }, data: { secondFactorPolicy: policy } });
    const bound = membersBoundBy(policy);
    // The sessions put on hold: the caller closes their sockets (a held session opens nothing)
    let heldSessionIds: string[] = [];
    if (bound) {
      const held = await tx.session.findMany({
        where: {
          pendingSecondFactor: null,
          user: {
            guest: false,
            memberships: { some: { facilityId, ...bound } },
            // no active TOTP (none, or an enrolment never confirmed)
            OR: [{ totpFactor: { is: null } }, { totpFactor: { is: { confirmedAt: null } } }],
          },
        },
        select: { id: true },
      });
      heldSessionIds = held.map((session) => session.id);
      if (heldSessionIds.length) await tx.session.updateMany({ where: { id: { in: heldSessionIds } }, data: { pendingSecondFactor: 'ENROL' } });
    }
    const sessionsSentToEnrolment = heldSessionIds.length;
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.set_second_factor_policy',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `facility:${facilityId}`,
      details: { policy, previous, sessionsSentToEnrolment },
    });
    return { policy, sessionsSentToEnrolment, heldSessionIds };
  });
}
