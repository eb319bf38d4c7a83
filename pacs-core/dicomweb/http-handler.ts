// Serves DICOMweb over node:http, outside Next: responses stream straight
// from the store, and a headless archive node runs without the portal. The
// portal injects authentication (pacs-core never decides who may do what).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuthenticationThrottled, Principal } from '../access';
import type { Archive } from '../archive';
import { asArchiveError, isArchiveError, toHttpStatus } from '../errors';
import { Router } from './router';
import { DEFAULT_STOW_LIMITS, UploadGate, type StowLimits } from './stow-limits';
import type { DicomwebResponse, Route } from './types';
import { settleUnreadBody } from './unread-body';

export interface DicomwebHttpOptions {
  archive: Archive;
  routes: Route[];
  /** Path prefix to strip, e.g. "/dicomweb" ("" for routes mounted at the root, like /wado) */
  prefix: string;
  /** null = not authenticated (answered 401 with a Basic challenge); throttled: the same, with Retry-After */
  authenticate(request: IncomingMessage): Promise<Principal | AuthenticationThrottled | null>;
  /** Absolute URL of the DICOMweb root as the client sees it */
  baseUrlFor(request: IncomingMessage): string;
  /** STOW-RS request/part size and per-user concurrency (defaults: DEFAULT_STOW_LIMITS) */
  stowLimits?: StowLimits;
}

export function createDicomwebHttpHandler(options: DicomwebHttpOptions) {
  const router = new Router(options.routes);
  const { archive } = options;
  const stowLimits = options.stowLimits ?? DEFAULT_STOW_LIMITS;
  const stow = { limits: stowLimits, gate: new UploadGate(stowLimits) };

  return async function handleDicomweb(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.slice(options.prefix.length) || '/';
    let response: DicomwebResponse;
    let principal: Principal | null = null;
    try {
      const authenticated = await options.authenticate(req);
      principal = authenticated && !('throttled' in authenticated) ? authenticated : null;
      if (!principal) {
        const retryAfter: Record<string, string> = authenticated && 'throttled' in authenticated ? { 'retry-after': String(authenticated.retryAfterSeconds) } : {};
        // A script in a browser page (the viewer after its session expired) gets
        // no Basic challenge: the browser would put up its own password box
        // in front of our sign-in page. Browsers send Sec-Fetch-Site on every
        // request (Node's fetch sends only Sec-Fetch-Mode); tools and typed-in
        // URLs (mode "navigate") still get the challenge.
        const fromPageScript = Boolean(req.headers['sec-fetch-site']) && req.headers['sec-fetch-mode'] !== 'navigate';
        response = {
          status: 401,
          headers: {
            ...(fromPageScript ? {} : { 'www-authenticate': 'Basic realm="Telepacs DICOMweb", charset="UTF-8"' }),
            'content-type': 'application/json',
            ...retryAfter,
          },
          // Basic cannot carry a second factor's code: say so here, as the 401 cannot tell which case it was.
          body: JSON.stringify(
            'retry-after' in retryAfter
              ? { error: 'too many failed sign-in attempts: try again after Retry-After seconds', code: 'RATE_LIMITED' }
              : {
                  error:
                    'authentication required (HTTP Basic, Bearer API token, or a portal session); accounts with a second factor must use an API token, not HTTP Basic',
                },
          ),
        };
      } else {
        const { handler, params } = router.match(req.method ?? 'GET', path);
        response = await handler(
          {
            method: req.method ?? 'GET',
            path,
            query: url.searchParams,
            headers: req.headers,
            body: req,
            principal,
            baseUrl: options.baseUrlFor(req),
            archive,
            stow,
          },
          params,
        );
      }
    } catch (error) {
      response = errorResponse(error);
      const status = response.status;
      if (status >= 500) archive.logger.error('DICOMweb request failed', { method: req.method, path, error: errorText(error) });
      else archive.logger.warn('DICOMweb request refused', { method: req.method, path, status, reason: errorText(error) });
      // A refused request by a known caller is part of the audit trail: a
      // reviewer must see someone probing for studies outside their scope
      // (answered 404 like a missing study, so the caller learns nothing).
      // The study asked for goes with it: the portal records the attempt for
      // that study's owner too (lib/audit/record-refused-attempt.ts).
      if (principal) {
        const askedStudy = isArchiveError(error) && typeof error.details.studyUid === 'string' ? error.details.studyUid : undefined;
        await principal.audit({
          action: `dicomweb.${req.method === 'POST' ? 'stow' : 'read'}`,
          outcome: status === 404 || status === 403 ? 'DENIED' : 'FAILURE',
          ...(askedStudy ? { studyUid: askedStudy } : {}),
          resource: `${path}${url.search}`,
          details: { status, reason: errorText(error) },
        });
      }
    }
    // A body left unread (refused request, upload over a limit) is not read to its end
    settleUnreadBody(req, res);
    await send(res, response, req.method === 'HEAD');
    archive.logger.info('dicomweb', {
      method: req.method,
      path,
      status: response.status,
      ms: Math.round(performance.now() - started),
    });
  };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function errorResponse(failure: unknown): DicomwebResponse {
  const error = asArchiveError(failure);
  let status = toHttpStatus(error);
  if (isArchiveError(error) && typeof error.details.status === 'number') status = error.details.status;
  // Raw internal errors never reach the client (STYLE.md): a generic message, the detail goes to the log
  const message = isArchiveError(error) && status < 500 ? error.message : status === 503 ? errorText(error) : 'internal error';
  const details = isArchiveError(error) ? error.details : {};
  const retryAfter = typeof details.retryAfterSeconds === 'number' ? details.retryAfterSeconds : undefined;
  const limitBytes = typeof details.limitBytes === 'number' ? details.limitBytes : undefined;
  return {
    status,
    headers: { 'content-type': 'application/json', ...(retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {}) },
    body: JSON.stringify({
      error: message,
      ...(isArchiveError(error) ? { code: error.code } : {}),
      ...(limitBytes !== undefined ? { limitBytes } : {}),
      ...(retryAfter !== undefined ? { retryAfterSeconds: retryAfter } : {}),
    }),
  };
}

async function send(res: ServerResponse, response: DicomwebResponse, headOnly: boolean): Promise<void> {
  if (res.headersSent) return;
  res.statusCode = response.status;
  // Every answer here carries patient data or says something about it (a 404
  // for a study UID too), frames and rendered images included: no cache may
  // keep it, least of all the disk cache of a shared workstation. The viewers
  // keep decoded images in memory for the session (Cornerstone's cache), so a
  // study scrolled back and forth is fetched once anyway (docs: README
  // "HTTPS and the reverse proxy"). Pragma for HTTP/1.0 caches.
  res.setHeader('cache-control', 'no-store');
  res.setHeader('pragma', 'no-cache');
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  const body = response.body;
  if (body === undefined || headOnly) {
    if (body instanceof Readable) body.destroy();
    res.end();
    return;
  }
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    res.setHeader('content-length', Buffer.byteLength(body));
    res.end(body);
    return;
  }
  const stream = body instanceof Readable ? body : Readable.from(body);
  try {
    await pipeline(stream, res);
  } catch (error) {
    // The client went away or a blob read failed mid-stream: the status is
    // already sent, so the only honest signal left is to cut the connection.
    res.destroy(error instanceof Error ? error : undefined);
  }
}
