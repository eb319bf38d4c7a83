// Headers every response of the one HTTP server carries, whatever answers it
// (Next, the OHIF files, DICOMweb, WADO-URI). Set by lib/server/start.ts
// before routing, so a route can only add to them or make them stricter.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createNonce, DATA_CONTENT_SECURITY_POLICY, portalContentSecurityPolicy } from './content-security-policy';

/** One year; browsers then refuse plain http to this host for that long (RFC 6797). */
export const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  // Study and patient URLs never leave the site in a Referer header.
  'referrer-policy': 'same-origin',
  // Older browsers' spelling of CSP frame-ancestors 'none'.
  'x-frame-options': 'DENY',
  // The teleconsultation room asks for the camera and microphone; nothing else
  // does, and no frame or other origin may.
  'permissions-policy': 'camera=(self), microphone=(self), display-capture=(), geolocation=(), payment=(), usb=(), serial=()',
};

/**
 * `secure`: the browser's connection is TLS, to us or to the reverse proxy we
 * trust (X-Forwarded-Proto: https with TRUST_PROXY). HSTS over plain http
 * is ignored by browsers at best and would lock a misconfigured site out at worst.
 */
export function setBaseSecurityHeaders(res: ServerResponse, secure: boolean): void {
  for (const [name, value] of Object.entries(BASE_SECURITY_HEADERS)) res.setHeader(name, value);
  if (secure) res.setHeader('strict-transport-security', `max-age=${HSTS_MAX_AGE_SECONDS}`);
}

/**
 * Responses that carry patient data are kept by no cache, the browser's disk
 * cache of a shared workstation included. `Pragma` for HTTP/1.0 caches
 * that still sit in some hospital networks.
 */
export function setNoStore(res: ServerResponse): void {
  res.setHeader('cache-control', 'no-store');
  res.setHeader('pragma', 'no-cache');
}

/**
 * Before Next answers: the portal's CSP with a fresh nonce goes on the
 * response and on the request, where Next reads the nonce and puts it on its
 * inline scripts (next/dist/server/app-render/get-script-nonce-from-header.js).
 * Hashed build files keep Next's own long caching; everything else (pages
 * showing patients, API JSON) is no-store unless Next says otherwise
 * (dynamic pages: "private, no-cache, no-store, max-age=0, must-revalidate").
 */
export function preparePortalResponse(req: IncomingMessage, res: ServerResponse, pathname: string, options: { dev: boolean }): void {
  delete req.headers['content-security-policy-report-only'];
  // No CSP on build files: a worker script's response policy would bind the
  // worker (Cornerstone's decoders compile WebAssembly and fetch frames).
  if (pathname.startsWith('/_next/static/')) return;
  setNoStore(res);
  // JSON answers (the portal API, the FHIR API): the data policy, not a page's
  if (pathname === '/api' || pathname.startsWith('/api/') || pathname === '/fhir' || pathname.startsWith('/fhir/')) {
    delete req.headers['content-security-policy'];
    res.setHeader('content-security-policy', DATA_CONTENT_SECURITY_POLICY);
    return;
  }
  const csp = portalContentSecurityPolicy({ nonce: createNonce(), dev: options.dev });
  req.headers['content-security-policy'] = csp;
  res.setHeader('content-security-policy', csp);
}
