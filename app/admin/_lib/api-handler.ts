// Glue shared by the administration and account APIs: the signed-in caller
// (same-origin for changes), one mapping of expected errors to HTTP, and a
// generic answer plus a log line for anything else (no raw errors to users).
import type { AdminActor } from '../../../lib/admin/context';
import { recordDeniedAdministration } from '../../../lib/audit/record-denied-administration';
import { isPolicyError } from '../../../lib/policy';
import { getRuntime } from '../../../lib/runtime';
import { requireApiUser, type ApiCaller } from '../../_lib/api-session';
import { errorResponse } from '../../_lib/error-response';

// The one mapper (app/_lib/error-response.ts), re-exported for the routes that import it from here
export { errorResponse };

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
      await recordDeniedAdministration(getRuntime(), actor, { resource: `${request.method} ${new URL(request.url).pathname}`, operation: where, reason: error.code });
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
