// The known-device cookie: after a successful sign-in the browser keeps a
// token for that account, and its next sign-ins are throttled on their own
// (login-rate-limiter.ts), so failures by anyone else cannot slow or block
// the owner at their usual workstation. It proves only that this browser
// once gave this account's right password; it never signs anyone in.
//
// A token is "<nonce>.<mac>", mac = HMAC-SHA256 keyed by the account's stored
// password hash (a server-side secret, stable across restarts, no schema
// change) over the user id and nonce: a password change forgets every
// device. The cookie keeps the tokens of the last few accounts used in this
// browser (a shared ward workstation), newest first.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { randomSecret } from './secret-tokens';

export const KNOWN_DEVICE_COOKIE_NAME = 'telepacs_device';
const MAX_TOKENS = 5;
const MAX_AGE_SECONDS = 180 * 24 * 3600;
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function macOf(account: { id: string; passwordHash: string }, nonce: string): string {
  return createHmac('sha256', account.passwordHash).update(`telepacs-known-device\u0000${account.id}\u0000${nonce}`).digest('base64url');
}

function tokensOf(cookieValue: string | undefined): string[] {
  return (cookieValue ?? '').split('~').filter((token) => TOKEN.test(token)).slice(0, MAX_TOKENS);
}

/** The device id (the token's nonce) when the cookie holds a valid token for this account; undefined otherwise. */
export function knownDeviceId(cookieValue: string | undefined, account: { id: string; passwordHash: string }): string | undefined {
  for (const token of tokensOf(cookieValue)) {
    const [, nonce, mac] = TOKEN.exec(token)!;
    const expected = Buffer.from(macOf(account, nonce));
    const given = Buffer.from(mac);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return nonce;
  }
  return undefined;
}

/**
 * The cookie's new value after a successful sign-in: this account's token
 * first (the same device id if the browser already had one for it), then the
 * other accounts' tokens it held.
 */
export function nextKnownDeviceValue(previousValue: string | undefined, account: { id: string; passwordHash: string }): string {
  const nonce = knownDeviceId(previousValue, account) ?? randomSecret(16);
  const others = tokensOf(previousValue).filter((token) => !token.startsWith(`${nonce}.`));
  return [`${nonce}.${macOf(account, nonce)}`, ...others].slice(0, MAX_TOKENS).join('~');
}

/** Sent only to the sign-in API (Path), HttpOnly, kept for 180 days. */
export function knownDeviceCookieHeader(value: string, options: { secure: boolean }): string {
  return [
    `${KNOWN_DEVICE_COOKIE_NAME}=${value}`,
    'Path=/api/auth/sign-in',
    `Max-Age=${MAX_AGE_SECONDS}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
