// RFC 6238 TOTP with the parameters every authenticator app supports:
// HMAC-SHA1, 6 digits, 30 s steps, a 160-bit secret (RFC 4226 section 4
// recommends 160 bits). One step either side is accepted for clock drift.
import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;
const DRIFT_STEPS = 1;

function totpFor(secretBase32: string, label = ''): TOTP {
  return new TOTP({ issuer: 'Telepacs', label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** otpauth://totp/Telepacs:<label>?secret=…&issuer=Telepacs — what the QR code holds. */
export function totpUri(secretBase32: string, label: string): string {
  return totpFor(secretBase32, label).toString();
}

export function isTotpCodeShape(code: string): boolean {
  return /^\d{6}$/.test(code);
}

/** The time step the code belongs to (within ±1 step of now), or null. The caller refuses a step already used. */
export function matchTotpStep(secretBase32: string, code: string, now: number): number | null {
  if (!isTotpCodeShape(code)) return null;
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: now, window: DRIFT_STEPS });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

/** For tests and the enrolment check in tests: the code of a moment. */
export function totpCodeAt(secretBase32: string, timestamp: number): string {
  return totpFor(secretBase32).generate({ timestamp });
}
