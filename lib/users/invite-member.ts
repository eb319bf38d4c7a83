import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { authorizeFacilityManagement } from '../policy/node-admin';
import { ACCOUNT_LINK_TTL_MS, accountLinkPath, newLinkToken } from './account-links';
import { ZInviteMemberRequest, type TInviteMemberRequest } from './invite-member.types';

export interface CreatedAccountLink {
  /** Site-relative path holding the token: shown once to the admin, not recoverable */
  path: string;
  expiresAt: Date;
}

/**
 * Invites a person to the facility with one role: a one-time link for them to
 * choose their name and password. A newer invitation to the same email
 * replaces the older one (only the last link works).
 */
export async function inviteMember(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  input: TInviteMemberRequest | unknown,
  now = new Date(),
): Promise<CreatedAccountLink> {
  const { db } = context;
  // The facility's admins, and node administrators (a new facility's first admin is invited by one)
  await authorizeFacilityManagement(db, actor.userId, facilityId);
  const { email, role } = parseInput(ZInviteMemberRequest, input);
  const existing = await db.user.findUnique({
    where: { email },
    select: { id: true, disabled: true, memberships: { where: { facilityId }, select: { id: true } } },
  });
  if (existing?.memberships.length) {
    const why = 'This person is already a member of this facility.';
    throw new AdminError('CONFLICT', why, { email: why });
  }
  if (existing?.disabled) {
    // Only the facility that disabled the account can judge whether it should come back.
    const why = 'This account is disabled. An administrator of its facility must enable it first.';
    throw new AdminError('CONFLICT', why, { email: why });
  }
  // An existing account joins by proving it is theirs (their password) on the
  // link's page; a new person creates the account there (accept-account-link.ts).
  const { token, tokenHash } = newLinkToken();
  const expiresAt = new Date(now.getTime() + ACCOUNT_LINK_TTL_MS.INVITE);
  await db.$transaction(async (tx) => {
    await tx.accountLink.updateMany({ where: { facilityId, purpose: 'INVITE', email, usedAt: null }, data: { usedAt: now } });
    const link = await tx.accountLink.create({
      data: { purpose: 'INVITE', tokenHash, facilityId, email, role, userId: existing?.id ?? null, createdById: actor.userId, createdAt: now, expiresAt },
    });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.invite_member',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `account-link:${link.id}`,
      details: { email, role, existingAccount: Boolean(existing), expiresAt: expiresAt.toISOString() },
    });
  });
  return { path: accountLinkPath('INVITE', token), expiresAt };
}
