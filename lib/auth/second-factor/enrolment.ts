// Setting up, replacing and turning off an account's TOTP. Enrolment is two
// steps: start (a new secret, shown as a QR code and as text, not active yet),
// then confirm with a code from the app, which proves the phone has it; only
// then is it active, and ten recovery codes are shown, once.
import QRCode from 'qrcode';
import { AdminError } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { isSecondFactorRequired } from '../../policy/second-factor';
import type { AuthContext } from '../auth-context';
import { verifyCredentials } from '../verify-credentials';
import { generateRecoveryCodes, recoveryCodeHash } from './recovery-codes';
import { openSecret, sealSecret } from './secret-box';
import { generateTotpSecret, matchTotpStep, totpUri } from './totp';
import { checkCodeThrottle, normalizeCode, recordWrongCode, verifySecondFactorCode } from './verify-code';

interface Person {
  id: string;
  email: string;
}

interface Client {
  ip: string;
}

export interface StartedEnrolment {
  /** base32, for typing into an app that cannot scan */
  secret: string;
  /** otpauth:// URI, what the QR code holds */
  uri: string;
  /** the QR code as an SVG document (made here, no third party sees the secret) */
  qrSvg: string;
}

export async function secondFactorStatus(context: Pick<AuthContext, 'db'>, userId: string) {
  const [factor, recoveryCodesLeft, required] = await Promise.all([
    context.db.totpFactor.findUnique({ where: { userId }, select: { confirmedAt: true } }),
    context.db.recoveryCode.count({ where: { userId, usedAt: null } }),
    isSecondFactorRequired(context.db, userId),
  ]);
  return { enabledAt: factor?.confirmedAt ?? null, recoveryCodesLeft, required };
}

/** A new secret, not active until confirmed. Refused while one is active: turn it off first (password and code). */
export async function startTotpEnrolment(context: AuthContext, person: Person, now = new Date()): Promise<StartedEnrolment> {
  const existing = await context.db.totpFactor.findUnique({ where: { userId: person.id }, select: { confirmedAt: true } });
  if (existing?.confirmedAt) throw new AdminError('CONFLICT', 'A second factor is already set up. Turn it off first to set up another phone.');
  const secret = generateTotpSecret();
  const sealed = sealSecret(context.config.dataDir, secret, person.id);
  await context.db.totpFactor.upsert({
    where: { userId: person.id },
    create: { userId: person.id, secret: sealed, createdAt: now },
    update: { secret: sealed, createdAt: now, lastUsedStep: 0 },
  });
  const uri = totpUri(secret, person.email);
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, uri, qrSvg };
}

const wrongCode = (message = 'That code is not right. Type the 6 digits the app shows now (check that the phone’s clock is set automatically).') =>
  new AdminError('INVALID_INPUT', message, { code: message });

/** Makes the started enrolment active with a code from the app; returns the recovery codes (shown once). */
export async function confirmTotpEnrolment(context: AuthContext, person: Person, code: string, client: Client, now = new Date()): Promise<{ recoveryCodes: string[] }> {
  const factor = await context.db.totpFactor.findUnique({ where: { userId: person.id } });
  if (!factor || factor.confirmedAt) throw new AdminError('INVALID_INPUT', 'Start the set-up again.', { code: 'Start the set-up again.' });
  const throttle = await checkCodeThrottle(context, client.ip, person.id);
  if (throttle.limited) throw wrongCode(`Too many wrong codes. Try again in ${Math.ceil(throttle.retryAfterSeconds / 60)} minutes.`);
  const secret = openSecret(context.config.dataDir, factor.secret, person.id);
  const step = secret ? matchTotpStep(secret, normalizeCode(code), now.getTime()) : null;
  if (step === null) {
    await recordWrongCode(context, person, client.ip, { purpose: 'enrol', reason: 'INVALID_CODE' });
    throw wrongCode();
  }
  const recoveryCodes = generateRecoveryCodes();
  await context.db.$transaction(async (tx) => {
    const claimed = await tx.totpFactor.updateMany({ where: { id: factor.id, confirmedAt: null }, data: { confirmedAt: now, lastUsedStep: step } });
    if (claimed.count !== 1) throw new AdminError('CONFLICT', 'This set-up was already confirmed.');
    await tx.recoveryCode.deleteMany({ where: { userId: person.id } });
    await tx.recoveryCode.createMany({ data: recoveryCodes.map((recovery) => ({ userId: person.id, codeHash: recoveryCodeHash(recovery), createdAt: now })) });
    await recordAudit(tx, { actor: person.email, actorUserId: person.id, action: 'account.enrol_second_factor', outcome: 'SUCCESS', sourceIp: client.ip, resource: `user:${person.id}`, details: { method: 'TOTP' } });
  });
  return { recoveryCodes };
}

/** Ten new recovery codes in place of the old ones, for someone who proves the second factor now. */
export async function replaceRecoveryCodes(context: AuthContext, person: Person, code: string, client: Client): Promise<{ recoveryCodes: string[] }> {
  const check = await verifySecondFactorCode(context, { user: person, code, ip: client.ip, purpose: 'recovery-codes' });
  if (!check.ok) throw wrongCode(check.reason === 'RATE_LIMITED' ? `Too many wrong codes. Try again in ${Math.ceil(check.retryAfterSeconds / 60)} minutes.` : undefined);
  const recoveryCodes = generateRecoveryCodes();
  await context.db.$transaction(async (tx) => {
    await tx.recoveryCode.deleteMany({ where: { userId: person.id } });
    await tx.recoveryCode.createMany({ data: recoveryCodes.map((recovery) => ({ userId: person.id, codeHash: recoveryCodeHash(recovery) })) });
    await recordAudit(tx, { actor: person.email, actorUserId: person.id, action: 'account.new_recovery_codes', outcome: 'SUCCESS', sourceIp: client.ip, resource: `user:${person.id}` });
  });
  return { recoveryCodes };
}

/**
 * Turns the second factor off: the password and a code (or a recovery code),
 * so that a session left open on a ward cannot remove it. Where a facility
 * requires one, the account's sessions then wait for a new enrolment.
 */
export async function disableOwnSecondFactor(
  context: AuthContext,
  person: Person,
  input: { password: string; code: string },
  client: Client,
): Promise<{ mustEnrolAgain: boolean }> {
  const credentials = await verifyCredentials(context, { email: person.email, password: input.password, ip: client.ip, door: 'auth.sign_in' });
  if (!credentials.ok || credentials.user.id !== person.id) {
    const message = !credentials.ok && credentials.reason === 'RATE_LIMITED' ? 'Too many attempts. Try again later.' : 'That is not your password.';
    throw new AdminError('INVALID_INPUT', message, { password: message });
  }
  const check = await verifySecondFactorCode(context, { user: person, code: input.code, ip: client.ip, purpose: 'disable' });
  if (!check.ok) throw wrongCode(check.reason === 'RATE_LIMITED' ? `Too many wrong codes. Try again in ${Math.ceil(check.retryAfterSeconds / 60)} minutes.` : undefined);
  const mustEnrolAgain = await isSecondFactorRequired(context.db, person.id);
  await context.db.$transaction(async (tx) => {
    await tx.totpFactor.deleteMany({ where: { userId: person.id } });
    await tx.recoveryCode.deleteMany({ where: { userId: person.id } });
    if (mustEnrolAgain) await tx.session.updateMany({ where: { userId: person.id, pendingSecondFactor: null }, data: { pendingSecondFactor: 'ENROL' } });
    await recordAudit(tx, { actor: person.email, actorUserId: person.id, action: 'account.disable_second_factor', outcome: 'SUCCESS', sourceIp: client.ip, resource: `user:${person.id}`, details: { mustEnrolAgain } });
  });
  return { mustEnrolAgain };
}
