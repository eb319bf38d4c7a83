// The Content-Security-Policy of each surface the one HTTP server answers.
// Everything the portal, the OHIF viewer and the teleconsultation room load
// comes from this origin; the policies say so and name the few extras each
// needs (checked in headless Chromium: test/e2e/security-headers.test.ts).
import { randomBytes } from 'node:crypto';

function policy(directives: Record<string, readonly string[]>): string {
  return Object.entries(directives)
    .map(([name, sources]) => (sources.length ? `${name} ${sources.join(' ')}` : name))
    .join('; ');
}

/** 128 random bits, base64: Next reads it from the request's CSP header and puts it on its inline scripts. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

const COMMON = {
  'default-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  // Patient data in a frame of another site could be clickjacked or read.
  'frame-ancestors': ["'none'"],
} as const;

/**
 * The portal (Next.js App Router) and the teleconsultation room in it.
 * - script-src: Next's inline hydration scripts carry the per-request nonce;
 *   its chunks are files on this origin. 'wasm-unsafe-eval' lets
 *   Cornerstone's codecs (OpenJPEG, CharLS, libjpeg-turbo as WebAssembly)
 *   compile; it does not allow eval of JavaScript. Next's dev server needs
 *   eval for its hot reload, never the production build.
 * - style-src 'unsafe-inline': React renders `style` attributes (colours of
 *   participants, laser marks), which a nonce cannot cover; styles cannot run code.
 * - worker-src blob:: Cornerstone's decode workers; connect-src 'self' covers
 *   the socket.io WebSocket (same origin, ws: or wss:). WebRTC media and the
 *   data channels are not governed by CSP; camera and microphone by
 *   Permissions-Policy.
 */
export function portalContentSecurityPolicy(options: { nonce: string; dev?: boolean }): string {
  return policy({
    ...COMMON,
    'script-src': ["'self'", `'nonce-${options.nonce}'`, "'wasm-unsafe-eval'", ...(options.dev ? ["'unsafe-eval'"] : [])],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'media-src': ["'self'", 'blob:', 'mediastream:'],
    'worker-src': ["'self'", 'blob:'],
  });
}

/**
 * The OHIF viewer under /ohif: its index.html has two fixed inline scripts
 * (allowed by their SHA-256, computed from the installed file), its bundles
 * compile WebAssembly codecs, run web workers (some from blob: URLs) and
 * build images and downloads from blob: and data: URLs. OHIF styles are
 * injected at run time (style-loader, Tailwind), hence 'unsafe-inline' styles.
 * Its PDF viewer embeds the report PDF with <object>: object-src 'self' blob:.
 * `workerScript`: the policy sent with OHIF's JavaScript files.
 */
export function ohifContentSecurityPolicy(options: { inlineScriptHashes: readonly string[]; workerScript?: boolean }): string {
  return policy({
    ...COMMON,
    'script-src': [
      "'self'",
      ...options.inlineScriptHashes.map((hash) => `'sha256-${hash}'`),
      "'wasm-unsafe-eval'",
      // OHIF 3.13's image decoders (Emscripten embind glue of its CharLS and
      // OpenJPEG builds, run in its decode worker) compile functions with
      // `new Function`. A worker takes the policy of its own script's
      // response, the page keeps the one of index.html: so eval is allowed in
      // OHIF's workers only, never in the viewer's page.
      ...(options.workerScript ? ["'unsafe-eval'"] : []),
    ],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'", 'data:'],
    // OHIF's PDF viewer shows an Encapsulated PDF in an <object> whose data is the
    // archive's .../rendered on this origin (a blob: URL when it fetched it itself).
    'object-src': ["'self'", 'blob:'],
    'connect-src': ["'self'", 'data:', 'blob:'],
    'worker-src': ["'self'", 'blob:'],
  });
}

/**
 * DICOMweb, WADO-URI, API JSON: data, never a page. Opened in a browser
 * tab (a rendered JPEG, a JSON answer) it loads nothing and runs nothing.
 */
export const DATA_CONTENT_SECURITY_POLICY = policy({ 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] });
