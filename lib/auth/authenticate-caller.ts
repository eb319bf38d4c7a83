// Who calls an API that hospital systems call as well as browsers (/fhir, a report's PDF): the
// archive's one authentication (authenticate-request.ts): a Bearer API token (or HTTP Basic) from
// a hospital system, the session cookie from a browser.
// The custom server has already resolved the client address into X-Forwarded-* (lib/auth/client-address.ts).
import type { IncomingHttpHeaders } from 'node:http';
import { authenticateRequest } from './authenticate-request';
import type { AuthContext } from './auth-context';
import { clientAddressFromNormalizedHeaders } from './client-address';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';

/** The caller as the domain operations take it; UNAUTHENTICATED or RATE_LIMITED otherwise. */
export async function authenticateCaller(context: AuthContext, request: Request): Promise<Principal> {
  const headers: IncomingHttpHeaders = {};
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const client = clientAddressFromNormalizedHeaders(request.headers);
  const principal = await authenticateRequest({ headers, method: request.method, remoteAddress: client.ip, secure: client.secure }, context);
  if (principal && 'throttled' in principal) {
    throw new DomainError('RATE_LIMITED', 'too many failed sign-ins', { userMessage: 'Too many failed attempts. Try again later.', retryAfterSeconds: principal.retryAfterSeconds });
  }
  if (!principal) throw new DomainError('UNAUTHENTICATED', 'no valid credentials', { userMessage: 'Authentication required: send an API token (Authorization: Bearer) or sign in.' });
  return { userId: principal.userId ?? '', email: principal.label, ip: client.ip };
}
