// Using a one-time link: an invitee creates their account, or a member sets a
// new password. Either way they are signed in afterwards. The link is claimed
// with a conditional update inside the transaction, so two tabs submitting at
// once cannot both use it.
import { recordAudit, type AuditDatabase } from '../audit/record-audit';
import { writeAuditEvent } from '../audit/write-audit-event';
import type { AuthContext } from '../auth/auth-context';
import { hashPassword } from '../auth/password';
import { openSignIn } from '../auth/second-factor/pending-sign-in';
import type { PendingSecondFactor } from '../auth/sessions';
import { AdminError, isAdminError, parseInput } from '../admin/errors';
import { findUsableAccountLink, type AccountLinkPurpose, type UsableAccountLink } from './account-links';
import { ZAcceptInvitationRequest, ZJoinWithAccountRequest, ZResetPasswordRequest } from './accept-account-link.types';
import { verifyCredentials } from '../auth/verify-credentials';
import { requireStrongPassword } from './password-rules';

export interface AcceptedAccountLink {
  user: { id: string; email: string; name: string };
  sessionToken: string;
  expiresAt: Date;
  /** Not null: the session is pending until the second factor (lib/auth/second-factor/pending-sign-in.ts) */
  secondFactor: PendingSecondFactor | null;
}

interface ClientInfo {
  ip: string;
  userAgent?: string;
}

/** The usable link, or the refusal — audited (someone holds a stale or forged link). */
async function findLinkOrAudit(context: AuthContext, input: unknown, purpose: AccountLinkPurpose, client: ClientInfo, now: Date): Promise<UsableAccountLink> {
  try {
    return await findUsableAccountLink(context, String((input as { token?: unknown } | null)?.token ?? ''), purpose, now);
  } catch (error) {
    if (isAdminError(error)) {
      await writeAuditEvent(
        context.db,
        {
          actor: 'anonymous',
          action: purpose === 'INVITE' ? 'account.accept_invitation' : 'account.reset_password',
          outcome: 'DENIED',
          sourceIp: client.ip,
          details: { reason: error.code },
        },
        context.logger,
      );
    }
    throw error;
  }
}

/** The audit row of a link used successfully, written in the transaction that claims it. */
function recordLinkUsed(
  tx: AuditDatabase,
  user: { id: string; email: string },
  action: 'account.accept_invitation' | 'account.reset_password',
  link: UsableAccountLink,
  client: ClientInfo,
  details: { role?: string; existingAccount?: boolean; sessionsEnded?: number },
) {
  return recordAudit(tx, {
    actor: user.email,
    actorUserId: user.id,
    action,
    outcome: 'SUCCESS',
    facilityId: link.facilityId,
    sourceIp: client.ip,
    resource: `account-link:${link.id}`,
    details,
  });
}

/**
 * Whoever used a link is signed in afterwards, through the second factor like
 * any sign-in: a reset link must not be a way around an enrolled phone, and a
 * new member of a facility that requires one enrols before anything else.
 */
async function signedIn(context: AuthContext, user: { id: string; email: string; name: string }, client: ClientInfo): Promise<AcceptedAccountLink> {
  const session = await openSignIn(context, user.id, client);
  return { user: { id: user.id, email: user.email, name: user.name }, ...session };
}

const alreadyUsed = () => new AdminError('LINK_USED', 'This link has already been used. Ask your administrator for a new one.');

export async function acceptInvitation(context: AuthContext, input: unknown, client: ClientInfo, now = new Date()): Promise<AcceptedAccountLink> {
  const { db } = context;
  // The link is checked first: a stale link must say so, whatever was typed.
  const link = await findLinkOrAudit(context, input, 'INVITE', client, now);
  if (link.userId) return joinWithExistingAccount(context, link, input, client, now);
  const { name, password } = parseInput(ZAcceptInvitationRequest, input);
  requireStrongPassword(password, { email: link.email, name });
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const claimed = await tx.accountLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) throw alreadyUsed();
    if (await tx.user.findUnique({ where: { email: link.email }, select: { id: true } })) {
      throw new AdminError('LINK_USED', 'An account with this email already exists. Sign in instead.');
    }
    const created = await tx.user.create({ data: { email: link.email, name, passwordHash } });
    await tx.membership.create({ data: { userId: created.id, facilityId: link.facilityId, role: link.role } });
    await recordLinkUsed(tx, created, 'account.accept_invitation', link, client, { role: link.role });
    return created;
  });
  return signedIn(context, user, client);
}

/**
 * An invitation addressed to an existing account: the person proves it is
 * theirs with its password (checked and throttled exactly as at sign-in),
 * then the account gains the membership and is signed in.
 */
async function joinWithExistingAccount(
  context: AuthContext,
  link: UsableAccountLink,
  input: unknown,
  client: ClientInfo,
  now: Date,
): Promise<AcceptedAccountLink> {
  const { db } = context;
  const { password } = parseInput(ZJoinWithAccountRequest, input);
  const check = await verifyCredentials(context, { email: link.email, password, ip: client.ip, door: 'auth.sign_in' });
  if (!check.ok || check.user.id !== link.userId) {
    await writeAuditEvent(
      db,
      {
        actor: link.email,
        actorUserId: link.userId,
        action: 'account.accept_invitation',
        outcome: 'DENIED',
        facilityId: link.facilityId,
        sourceIp: client.ip,
        resource: `account-link:${link.id}`,
        details: { reason: check.ok ? 'ACCOUNT_CHANGED' : check.reason },
      },
      context.logger,
    );
    const message =
      !check.ok && check.reason === 'RATE_LIMITED'
        ? `Too many attempts. Try again in ${check.retryAfterSeconds} seconds.`
        : !check.ok && check.reason === 'ACCOUNT_DISABLED'
          ? 'This account is disabled. Ask your administrator.'
          : 'That is not the password of this account.';
    throw new AdminError('INVALID_INPUT', message, { password: message });
  }
  await db.$transaction(async (tx) => {
    const claimed = await tx.accountLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) throw alreadyUsed();
    const member = await tx.membership.findFirst({ where: { userId: check.user.id, facilityId: link.facilityId }, select: { id: true } });
    if (!member) await tx.membership.create({ data: { userId: check.user.id, facilityId: link.facilityId, role: link.role } });
    await recordLinkUsed(tx, check.user, 'account.accept_invitation', link, client, { role: link.role, existingAccount: true });
  });
  return signedIn(context, check.user, client);
}

/** Sets the new password, ends every other session of the account, and signs in. */
export async function resetPasswordWithLink(context: AuthContext, input: unknown, client: ClientInfo, now = new Date()): Promise<AcceptedAccountLink> {
  const { db } = context;
  const link = await findLinkOrAudit(context, input, 'RESET', client, now);
  const { password } = parseInput(ZResetPasswordRequest, input);
  const owner = link.userId ? await db.user.findUnique({ where: { id: link.userId }, select: { name: true } }) : null;
  requireStrongPassword(password, { email: link.email, name: owner?.name });
  const passwordHash = await hashPassword(password);
  const user = await db.$transaction(async (tx) => {
    const claimed = await tx.accountLink.updateMany({ where: { id: link.id, usedAt: null }, data: { usedAt: now } });
    if (claimed.count !== 1) throw alreadyUsed();
    const target = link.userId ? await tx.user.findUnique({ where: { id: link.userId } }) : null;
    if (!target || target.disabled) throw new AdminError('LINK_INVALID', 'This account is disabled. Ask your administrator.');
    const updated = await tx.user.update({ where: { id: target.id }, data: { passwordHash } });
    // Whoever knew the old password (the reason for many resets) is signed out.
    const ended = await tx.session.deleteMany({ where: { userId: target.id } });
    await recordLinkUsed(tx, updated, 'account.reset_password', link, client, { sessionsEnded: ended.count });
    return updated;
  });
  return signedIn(context, user, client);
}
