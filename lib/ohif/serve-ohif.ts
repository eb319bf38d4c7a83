// Serves the prebuilt OHIF viewer under /ohif from the custom server, for
// signed-in users only. The files are @ohif/app's dist/, prepared once by
// scripts/install-ohif.mjs (npm postinstall) with its public path rewritten
// to /ohif/; /ohif/app-config.js is ours (lib/ohif/app-config.ts).
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { SESSION_COOKIE_NAME, readCookie, resolveSession, type AuthContext } from '../auth';
import { ohifContentSecurityPolicy } from '../http-security';
import { ohifAppConfigScript } from './app-config';
import { OHIF_BASE_PATH } from './viewer-url';

/** Where scripts/install-ohif.mjs puts the prepared dist (same path there). */
export const OHIF_DIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../node_modules/.telepacs/ohif');

export function isOhifPath(pathname: string): boolean {
  return pathname === OHIF_BASE_PATH || pathname.startsWith(`${OHIF_BASE_PATH}/`);
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.jsonc': 'application/json',
  '.webapp': 'application/json',
  '.wasm': 'application/wasm', // WebAssembly.instantiateStreaming requires it
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.xml': 'application/xml',
  '.txt': 'text/plain; charset=utf-8',
};

// Names with a content hash (e.g. 2493.bundle.c4af70e46357151f.js, 5130ccb17e3f3f5b.wasm)
// never change: browsers may keep them. Everything else is revalidated.
const CONTENT_HASHED = /(^|\.)[0-9a-f]{16}\.(js|wasm|woff2)$/;

// nosniff, framing, referrer, HSTS: set for every route by lib/server/start.ts.
function viewerHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy,
    // Cross-origin isolation lets Cornerstone use SharedArrayBuffer for volumes;
    // every resource of the viewer and the archive is on this origin.
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
}

/** SHA-256 (base64) of each inline <script> of OHIF's index.html, for its CSP. */
export function inlineScriptHashes(indexHtml: string): string[] {
  return [...indexHtml.matchAll(/<script(?:\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .filter((match) => !/\ssrc=/.test(match[0].slice(0, match[0].indexOf('>'))) && match[1].length > 0)
    .map((match) => createHash('sha256').update(match[1], 'utf8').digest('base64'));
}

function readIndexHtml(distDir: string): string {
  try {
    return readFileSync(path.join(distDir, 'index.html'), 'utf8');
  } catch {
    return ''; // not installed: index.html requests answer 503 below
  }
}

function answer(res: ServerResponse, security: Record<string, string>, status: number, headers: Record<string, string>, body = ''): void {
  res.writeHead(status, { ...security, ...headers });
  res.end(body);
}

/** The dist file a request path names, or null when the path leaves the dist or is malformed. */
function resolveDistFile(distDir: string, pathname: string): string | null {
  let relative: string;
  try {
    relative = decodeURIComponent(pathname.slice(OHIF_BASE_PATH.length).replace(/^\/+/, ''));
  } catch {
    return null;
  }
  if (relative.includes('\0')) return null;
  const normalized = path.posix.normalize(`/${relative}`).slice(1);
  if (normalized.split('/').some((segment) => segment.startsWith('.'))) return null;
  return path.join(distDir, normalized);
}

/** OHIF's client-side routes (/ohif/, /ohif/viewer, /ohif/viewer/dicomweb...) all load index.html. */
function isAppRoute(pathname: string): boolean {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  return !last.includes('.');
}

async function fileStats(file: string): Promise<Stats | null> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : null;
  } catch {
    return null;
  }
}

export interface OhifHandlerOptions {
  context: AuthContext;
  distDir?: string;
}

export function createOhifHttpHandler(options: OhifHandlerOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { context } = options;
  const distDir = options.distDir ?? OHIF_DIST_DIR;
  const appConfig = ohifAppConfigScript();
  const hashes = inlineScriptHashes(readIndexHtml(distDir));
  const security = viewerHeaders(ohifContentSecurityPolicy({ inlineScriptHashes: hashes }));
  // Only effective where the file runs as a worker (a page's scripts follow the page's policy).
  const scriptSecurity = viewerHeaders(ohifContentSecurityPolicy({ inlineScriptHashes: hashes, workerScript: true }));

  return async (req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return answer(res, security, 405, { allow: 'GET, HEAD' });
    const [pathname, query = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);

    // The viewer shell and its files are for signed-in users: an anonymous
    // visitor goes to the sign-in page and comes back to the same study.
    const cookie = Array.isArray(req.headers.cookie) ? req.headers.cookie[0] : req.headers.cookie;
    const session = await resolveSession(context.db, readCookie(cookie, SESSION_COOKIE_NAME), { ttlHours: context.config.sessionTtlHours });
    if (!session) {
      const returnTo = query ? `${pathname}?${query}` : pathname;
      return answer(res, security, 303, { location: `/sign-in?next=${encodeURIComponent(returnTo)}`, 'cache-control': 'no-store' });
    }

    if (pathname === `${OHIF_BASE_PATH}/app-config.js`) {
      return answer(res, security, 200, { 'content-type': CONTENT_TYPES['.js'], 'cache-control': 'no-store' }, method === 'HEAD' ? '' : appConfig);
    }
    const requested = isAppRoute(pathname) ? path.join(distDir, 'index.html') : resolveDistFile(distDir, pathname);
    const stats = requested ? await fileStats(requested) : null;
    if (!requested || !stats) {
      if (isAppRoute(pathname)) {
        context.logger.error('the OHIF viewer is not installed', { distDir });
        return answer(res, security, 503, { 'content-type': 'text/plain; charset=utf-8' }, 'The OHIF viewer is not installed: run `npm install`.\n');
      }
      return answer(res, security, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found\n');
    }

    const name = path.basename(requested);
    // A gzipped copy made at install (scripts/install-ohif.mjs), when the browser takes it.
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const gzipped = acceptsGzip ? await fileStats(`${requested}.gz`) : null;
    const sent = gzipped ?? stats;
    const etag = `"${sent.size.toString(16)}-${Math.floor(sent.mtimeMs).toString(16)}${gzipped ? '-gz' : ''}"`;
    const headers: Record<string, string> = {
      'content-type': CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
      etag,
      vary: 'Accept-Encoding',
      // The shell is per signed-in user (the redirect above): never from a shared cache.
      'cache-control': name === 'index.html' ? 'no-store' : CONTENT_HASHED.test(name) ? 'private, max-age=31536000, immutable' : 'private, no-cache',
      ...(gzipped ? { 'content-encoding': 'gzip' } : {}),
    };
    const fileSecurity = /\.m?js$/.test(name) ? scriptSecurity : security;
    if (req.headers['if-none-match'] === etag && name !== 'index.html') return answer(res, fileSecurity, 304, headers);
    res.writeHead(200, { ...fileSecurity, ...headers, 'content-length': String(sent.size) });
    if (method === 'HEAD') return void res.end();
    await pipeline(createReadStream(gzipped ? `${requested}.gz` : requested), res);
  };
}
