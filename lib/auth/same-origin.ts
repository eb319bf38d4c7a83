// CSRF defence for cookie-authenticated changes: the browser adds Origin (or
// at least Referer) to a POST, and a page on another site cannot forge it.
// SameSite=Lax already keeps the cookie off cross-site POSTs; this also covers
// sibling subdomains ("same site" but not same origin) and old browsers.

function hostOf(url: string | undefined): string | undefined {
  if (!url || url === 'null') return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}

export const MUTATING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * True when Origin (or, without it, Referer) names one of the hosts this
 * request was addressed to (Host, or X-Forwarded-Host behind a trusted proxy).
 * A request with neither header is refused.
 */
export function isSameOriginRequest(headers: {
  origin?: string | null;
  referer?: string | null;
  host?: string | null;
  forwardedHost?: string | null;
}): boolean {
  const sourceHost = hostOf(headers.origin ?? undefined) ?? (headers.origin ? undefined : hostOf(headers.referer ?? undefined));
  if (!sourceHost) return false;
  const targetHosts = [headers.host, headers.forwardedHost].filter((host): host is string => Boolean(host)).map((host) => host.toLowerCase());
  return targetHosts.includes(sourceHost);
}

/**
 * The socket.io handshake (lib/realtime): a browser always sends Origin on a
 * WebSocket handshake and on cross-origin requests, so a page on another
 * site opening a socket with our cookie (cross-site WebSocket hijacking)
 * shows a foreign Origin and is refused, as is "null" (sandboxed frames,
 * file: pages). No Origin at all is a non-browser client (or a same-origin
 * polling GET): it still needs the session cookie, which a script elsewhere
 * cannot read. The same rule as the sign-in API's ("Scripts send none").
 */
export function isAllowedSocketOrigin(headers: { origin?: string | null; host?: string | null; forwardedHost?: string | null }): boolean {
  if (headers.origin === undefined || headers.origin === null) return true;
  return isSameOriginRequest({ origin: headers.origin, host: headers.host, forwardedHost: headers.forwardedHost });
}
