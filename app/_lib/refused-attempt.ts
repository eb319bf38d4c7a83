// The portal's doors (pages, API routes) record a refused attempt at a
// study, patient or consultation through lib/audit/record-refused-attempt.ts,
// which tells the resource's owner; the caller gets the same 404 as for
// something that does not exist.
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import type { AuditAction } from '../../lib/audit/actions';
import { recordRefusedAttempt, type RefusedTarget } from '../../lib/audit/record-refused-attempt';
import { clientAddressFromNormalizedHeaders, type SignedInUser } from '../../lib/auth';
import { getRuntime } from '../../lib/runtime';
import type { ApiCaller } from './api-session';

/** For a page: records the refusal, then renders the ordinary "not found". */
export async function refusePage(user: SignedInUser, action: AuditAction, target: RefusedTarget, resource: string): Promise<never> {
  const client = clientAddressFromNormalizedHeaders(await headers());
  await recordRefusedAttempt(getRuntime(), { actor: user.email, actorUserId: user.id, sourceIp: client.ip, action, target, resource });
  notFound();
}

/** For an API route: records the refusal; the route answers its usual 404. */
export async function auditRefusedRequest(caller: ApiCaller, request: Request, action: AuditAction, target: RefusedTarget): Promise<void> {
  const url = new URL(request.url);
  await recordRefusedAttempt(getRuntime(), {
    actor: caller.user.email,
    actorUserId: caller.user.id,
    sourceIp: caller.client.ip,
    action,
    target,
    resource: `${request.method} ${url.pathname}`,
  });
}
