// The one entry point for the archive's HTTP layer (/dicomweb): who is this?
// Machine clients send HTTP Basic or a Bearer API token; browsers the session
// cookie. Explicit credentials that fail are a failure: there is no fall-back
// to the cookie, so a script never acts as whoever last used the browser.
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthenticationThrottled, Principal } from '../../pacs-core/access';
import type { AuthContext } from './auth-context';
import { verifyApiToken } from './api-tokens';
import { resolveClientAddress } from './client-address';
import { principalForUser } from './principal';
import { passwordAloneSuffices } from './second-factor/pending-sign-in';
import { MUTATING_METHODS, isSameOriginRequest } from './same-origin';
import { SESSION_COOKIE_NAME, readCookie } from './session-cookie';
import { resolveSession } from './sessions';
import { verifyCredentials } from './verify-credentials';

export interface AuthenticationRequest {
  headers: IncomingHttpHeaders;
  method: string;
  /** The socket's peer address */
  remoteAddress: string;
  /** The socket is TLS */
  secure: boolean;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decodeBasic(encoded: string): { email: string; password: string } | null {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  return separator > 0 ? { email: decoded.slice(0, separator), password: decoded.slice(separator + 1) } : null;
}

/** null: not authenticated; throttled: HTTP Basic refused for too many failures (answered with Retry-After). */
export async function authenticateRequest(request: AuthenticationRequest, runtime: AuthContext): Promise<Principal | AuthenticationThrottled | null> {
  const { ip } = resolveClientAddress(request, runtime.config.trustProxy);
  const authorization = singleHeader(request.headers.authorization)?.trim();

  if (authorization) {
    const [scheme, credentials = ''] = authorization.split(/\s+/, 2);
    if (scheme.toLowerCase() === 'basic') {
      const basic = decodeBasic(credentials);
      if (!basic) return null;
      // Throttled and audited (auth.basic, DICOM 110114) exactly like the sign-in form
      const check = await verifyCredentials(runtime, { ...basic, ip, door: 'auth.basic', useCache: true });
      if (!check.ok) {
        runtime.logger.warn('HTTP Basic authentication refused', { reason: check.reason, ip });
        return check.reason === 'RATE_LIMITED' ? { throttled: true, retryAfterSeconds: check.retryAfterSeconds } : null;
      }
      if (!(await passwordAloneSuffices(runtime.db, check.user.id))) {
        runtime.logger.warn('HTTP Basic authentication refused: this account signs in with a second factor; use an API token (Authorization: Bearer)', {
          reason: 'SECOND_FACTOR_REQUIRED',
          user: check.user.email,
          ip,
        });
        return null;
      }
      return principalForUser(runtime, { userId: check.user.id, label: check.user.email, sourceIp: ip });
    }
    if (scheme.toLowerCase() === 'bearer') {
      const token = await verifyApiToken(runtime.db, credentials);
      if (!token) {
        runtime.logger.warn('API token refused', { ip });
        return null;
      }
      return principalForUser(runtime, { userId: token.user.id, label: `token:${token.name}`, sourceIp: ip });
    }
    return null;
  }

  const sessionToken = readCookie(singleHeader(request.headers.cookie), SESSION_COOKIE_NAME);
  if (!sessionToken) return null;
  if (MUTATING_METHODS.has(request.method.toUpperCase())) {
    const sameOrigin = isSameOriginRequest({
      origin: singleHeader(request.headers.origin),
      referer: singleHeader(request.headers.referer),
      host: singleHeader(request.headers.host),
      forwardedHost: runtime.config.trustProxy ? singleHeader(request.headers['x-forwarded-host']) : undefined,
    });
    if (!sameOrigin) {
      runtime.logger.warn('cross-origin request with the session cookie refused (CSRF defence)', {
        ip,
        method: request.method,
        origin: singleHeader(request.headers.origin) ?? null,
        referer: singleHeader(request.headers.referer) ?? null,
      });
      return null;
    }
  }
  const session = await resolveSession(runtime.db, sessionToken, { ttlHours: runtime.config.sessionTtlHours });
  if (!session) return null;
  // A browser stores into the facility chosen in the header (machine clients: their first, as before)
  return principalForUser(runtime, { userId: session.user.id, label: session.user.email, sourceIp: ip, actingFacilityId: session.actingFacilityId });
}
