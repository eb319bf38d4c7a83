// The browser session cookie. httpOnly: scripts (and anything injected into
// them) cannot read it. SameSite=Lax: other sites cannot make the browser send
// it with their POSTs, while links into the portal from email still work.
// No Max-Age: a browser-session cookie, so closing the browser on a shared
// ward workstation signs out; the server enforces expiry regardless.

export const SESSION_COOKIE_NAME = 'telepacs_session';

export function sessionCookieHeader(token: string, options: { secure: boolean }): string {
  return [`${SESSION_COOKIE_NAME}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', ...(options.secure ? ['Secure'] : [])].join('; ');
}

export function clearedSessionCookieHeader(options: { secure: boolean }): string {
  return [
    `${SESSION_COOKIE_NAME}=`,
    'Path=/',
    'HttpOnly',
    'SameSite=Lax',
    'Max-Age=0',
    'Expires=Thu, 01 Jan 1970 00:00:00 GMT',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}

/** One cookie's value from a Cookie header (RFC 6265 5.4), or undefined. */
export function readCookie(cookieHeader: string | undefined | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(';')) {
    const separator = pair.indexOf('=');
    if (separator < 0) continue;
    if (pair.slice(0, separator).trim() === name) return pair.slice(separator + 1).trim();
  }
  return undefined;
}
