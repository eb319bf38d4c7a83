// Glue shared by the administration and account APIs: the signed-in caller
// (same-origin for changes), one mapping of expected errors to HTTP, and a
// generic answer plus a log line for anything else (no raw errors to users).
import type { AdminActor } from '../../../lib/admin/context';
import { isAdminError, type AdminErrorCode } from '../../../lib/admin/errors';
import { writeAuditEvent } from '../../../lib/audit/write-audit-event';
import { isPolicyError } from '../../../lib/policy';
import { getRuntime } from '../../../lib/runtime';
import { requireApiUser, type ApiCaller } from '../../_lib/api-session';
import { jsonError } from '../../_lib/json-response';

const STATUS: Record<AdminErrorCode, number> = {
  INVALID_INPUT: 400,
  CONFLICT: 409,
  NOT_ALLOWED: 403,
  LINK_INVALID: 404,
  LINK_EXPIRED: 410,
  LINK_USED: 410,
};

export function errorResponse(error: unknown, where: string): Response {
  if (isPolicyError(error)) {
    // The admin area answers NOT_FOUND to anyone who may not see it (lib/policy/admin-area.ts).
    return error.code === 'NOT_FOUND' ? jsonError(404, 'NOT_FOUND', 'Not found.') : jsonError(403, 'FORBIDDEN', capitalize(error.message));
  }
  if (isAdminError(error)) {
    return Response.json({ error: error.code, message: error.message, fields: error.fields }, { status: STATUS[error.code], headers: { 'cache-control': 'no-store' } });
  }
  getRuntime().logger.error('admin request failed', { where, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return jsonError(500, 'UNAVAILABLE', 'Something went wrong. Try again, and tell your administrator if it keeps happening.');
}

function capitalize(text: string): string {
  return text ? `${text[0].toUpperCase()}${text.slice(1)}.` : text;
}

/** Runs `work` for a signed-in caller, answering errors the one way. */
export async function withSignedInCaller(request: Request, where: string, work: (caller: ApiCaller, actor: AdminActor) => Promise<Response>): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const actor: AdminActor = { userId: caller.user.id, email: caller.user.email, ip: caller.client.ip };
  try {
    return await work(caller, actor);
  } catch (error) {
    if (isPolicyError(error)) {
      // A refused attempt on another facility's administration is worth a trace.
      const runtime = getRuntime();
      await writeAuditEvent(
        runtime.db,
        {
          actor: actor.email,
          actorUserId: actor.userId,
          action: 'admin.denied',
          outcome: 'DENIED',
          sourceIp: actor.ip,
          resource: `${request.method} ${new URL(request.url).pathname}`,
          details: { operation: where, reason: error.code },
        },
        runtime.logger,
      );
    }
    return errorResponse(error, where);
  }
}

/** The JSON body, or {} when it is missing or not JSON (the schema then names what is missing). */
export async function jsonBody(request: Request): Promise<unknown> {
  return request.json().catch(() => ({}));
}

/** Where a one-time link points: PUBLIC_URL when set, else the page's own origin (the browser fills it in). */
export function absoluteLink(path: string): string | null {
  const publicUrl = getRuntime().config.publicUrl;
  return publicUrl ? `${publicUrl}${path}` : null;
}

export function noStore(body: unknown, status = 200): Response {
  return Response.json(body, { status, headers: { 'cache-control': 'no-store' } });
}
