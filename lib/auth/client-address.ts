// Who is calling and over what: the socket tells the truth unless a reverse
// proxy that we run (TRUST_PROXY) sits in front; then its X-Forwarded-* do.
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export interface ClientAddress {
  ip: string;
  /** The browser's connection was TLS (directly or to the proxy) */
  secure: boolean;
}

function lastHeaderValue(value: string | string[] | undefined): string | undefined {
  const joined = Array.isArray(value) ? value.join(',') : value;
  const parts = joined?.split(',').map((part) => part.trim()).filter(Boolean) ?? [];
  return parts[parts.length - 1];
}

/** "::ffff:10.0.0.5" (IPv4 on a dual-stack socket) reads as "10.0.0.5" in audit logs. */
export function normalizeIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice('::ffff:'.length) : ip;
}

export function resolveClientAddress(
  request: { headers: IncomingHttpHeaders; remoteAddress: string | undefined; secure: boolean },
  trustProxy: boolean,
): ClientAddress {
  const socketIp = normalizeIp(request.remoteAddress ?? '');
  if (!trustProxy) return { ip: socketIp, secure: request.secure };
  // One proxy hop: the right-most X-Forwarded-For entry is the one our proxy
  // appended; entries to its left come from the client and can be forged.
  const forwardedIp = lastHeaderValue(request.headers['x-forwarded-for']);
  const forwardedProto = lastHeaderValue(request.headers['x-forwarded-proto']);
  return {
    ip: forwardedIp ? normalizeIp(forwardedIp) : socketIp,
    secure: forwardedProto ? forwardedProto.toLowerCase() === 'https' : request.secure,
  };
}

/**
 * For the custom server, before a request is handed to Next: replaces the
 * client-supplied X-Forwarded-For/-Proto with the resolved values (and drops
 * X-Forwarded-Host unless a trusted proxy set it). Next only fills these
 * headers when they are absent, so without this a client could choose the
 * address that the sign-in rate limiter and the audit trail see.
 */
export function normalizeForwardedHeaders(request: IncomingMessage, trustProxy: boolean): ClientAddress {
  const socket = request.socket as IncomingMessage['socket'] & { encrypted?: boolean };
  const client = resolveClientAddress(
    { headers: request.headers, remoteAddress: socket.remoteAddress, secure: socket.encrypted === true },
    trustProxy,
  );
  request.headers['x-forwarded-for'] = client.ip;
  request.headers['x-forwarded-proto'] = client.secure ? 'https' : 'http';
  if (!trustProxy) delete request.headers['x-forwarded-host'];
  return client;
}

/** In a Next route handler, after normalizeForwardedHeaders ran in the server. */
export function clientAddressFromNormalizedHeaders(headers: { get(name: string): string | null }): ClientAddress {
  return {
    ip: headers.get('x-forwarded-for')?.split(',')[0]?.trim() ?? '',
    secure: headers.get('x-forwarded-proto') === 'https',
  };
}
