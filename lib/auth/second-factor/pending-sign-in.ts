// A sign-in in two steps. The password opens a *pending* session (the same
// cookie, a Session row with pendingSecondFactor set) that no page, API,
// DICOMweb request or socket accepts (resolveSession refuses it); the code
// (or, where the facility requires a second factor and none is set up, the
// enrolment) replaces it with a real session under a new token.
import { recordAudit } from '../../audit/record-audit';
import { isSecondFactorRequired } from '../../policy/second-factor';
import type { AuthContext } from '../auth-context';
import { sha256Hex } from '../secret-tokens';
import { SESSION_TOKEN_PATTERN, createSession, type PendingSecondFactor } from '../sessions';
import { verifySecondFactorCode, type CodeCheck, type SecondFactorMethod } from './verify-code';
import type { Database } from '../../../prisma/database';

/** Time to type the code, or to scan the QR code and type one, after the password. */
export const PENDING_SIGN_IN_TTL_MS = 10 * 60_000;

export interface OpenedSignIn {
  sessionToken: string;
  expiresAt: Date;
  /** null: signed in; otherwise the step still to do */
  secondFactor: PendingSecondFactor | null;
}

/** What this account still owes after its password: a code, an enrolment, or nothing. */
export async function secondFactorStageFor(db: Database, userId: string): Promise<PendingSecondFactor | null> {
  const factor = await db.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } });
  if (factor?.confirmedAt) return 'CODE';
  return (await isSecondFactorRequired(db, userId)) ? 'ENROL' : null;
}

/** After a right password (sign-in form, invitation, reset link): a session, or a pending one. */
export async function openSignIn(context: AuthContext, userId: string, client: { ip: string; userAgent?: string }, now = new Date()): Promise<OpenedSignIn> {
  const stage = await secondFactorStageFor(context.db, userId);
  const base = { userId, ip: client.ip, userAgent: client.userAgent, now };
  const session = stage
    ? await createSession(context.db, { ...base, expiresAt: new Date(now.getTime() + PENDING_SIGN_IN_TTL_MS), pendingSecondFactor: stage })
    : await createSession(context.db, { ...base, ttlHours: context.config.sessionTtlHours });
  return { sessionToken: session.token, expiresAt: session.expiresAt, secondFactor: stage };
}

export interface PendingSignIn {
  sessionId: string;
  stage: PendingSecondFactor;
  user: { id: string; email: string; name: string };
}

/** The pending sign-in of this cookie, or null (none, expired, account disabled). */
export async function resolvePendingSignIn({ db }: { db: Database }, token: string | undefined, now = new Date()): Promise<PendingSignIn | null> {
  if (!token || !SESSION_TOKEN_PATTERN.test(token)) return null;
  const row = await db.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    include: { user: { select: { id: true, email: true, name: true, disabled: true } } },
  });
  if (!row?.pendingSecondFactor) return null;
  if (row.expiresAt <= now || row.user.disabled) {
    await db.session.deleteMany({ where: { id: row.id } });
    return null;
  }
  const { id, email, name } = row.user;
  return { sessionId: row.id, stage: row.pendingSecondFactor as PendingSecondFactor, user: { id, email, name } };
}

/** Replaces the pending row by a real session (a new token: the half-signed-in one is worth nothing after), audited as the sign-in. */
export async function promotePendingSignIn(
  context: AuthContext,
  pending: PendingSignIn,
  client: { ip: string; userAgent?: string },
  how: { secondFactor: SecondFactorMethod | 'ENROLLED' },
  now = new Date(),
): Promise<{ sessionToken: string; expiresAt: Date }> {
  const session = await createSession(context.db, { userId: pending.user.id, ttlHours: context.config.sessionTtlHours, ip: client.ip, userAgent: client.userAgent, now });
  await context.db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { id: pending.sessionId } });
    await recordAudit(tx, { actor: pending.user.email, actorUserId: pending.user.id, action: 'auth.sign_in', outcome: 'SUCCESS', sourceIp: client.ip, details: how });
  });
  return { sessionToken: session.token, expiresAt: session.expiresAt };
}

export type CodeSignInResult =
  | { ok: true; user: PendingSignIn['user']; sessionToken: string; expiresAt: Date; recoveryCodesLeft?: number }
  | Exclude<CodeCheck, { ok: true }>
  | { ok: false; reason: 'SIGN_IN_EXPIRED' };

/** The second step of a sign-in: the code for the pending session of this cookie. */
export async function completeSignInWithCode(
  context: AuthContext,
  input: { pendingToken: string | undefined; code: string; ip: string; userAgent?: string },
): Promise<CodeSignInResult> {
  const pending = await resolvePendingSignIn(context, input.pendingToken);
  if (!pending || pending.stage !== 'CODE') return { ok: false, reason: 'SIGN_IN_EXPIRED' };
  const check = await verifySecondFactorCode(context, { user: pending.user, code: input.code, ip: input.ip, purpose: 'sign-in' });
  if (!check.ok) return check;
  const session = await promotePendingSignIn(context, pending, input, { secondFactor: check.method });
  return { ok: true, user: pending.user, ...session, recoveryCodesLeft: check.recoveryCodesLeft };
}

/**
 * HTTP Basic sends a password and nothing else, so it cannot carry a code:
 * an account that signs in with a second factor (or must) would be one
 * password away from its data through DICOMweb. Such accounts use API tokens
 * for scripts and integrations; Basic is refused for them.
 */
export async function passwordAloneSuffices(db: Database, userId: string): Promise<boolean> {
  return (await secondFactorStageFor(db, userId)) === null;
}
