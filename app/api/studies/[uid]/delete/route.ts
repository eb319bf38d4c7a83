// POST /api/studies/{uid}/delete (form: reason) — administrators of the
// study's facility only; the reason is required and goes into the audit
// event with what was removed. A study the caller cannot see is 404; one
// they can see but not administer is 403 (lib/studies/delete-study.ts decides).
import { isDomainError } from '../../../../../lib/errors';
import { deleteStudy } from '../../../../../lib/studies/delete-study';
import { getRuntime } from '../../../../../lib/runtime';
import { principalOf, requestResource, requireApiUser } from '../../../../_lib/api-session';
import { errorResponse } from '../../../../_lib/error-response';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ uid: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const { uid } = await params;
  const isForm = (request.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded');
  const body = await (isForm ? request.formData().then((form) => form.get('reason')) : request.json().then((json: { reason?: unknown } | null) => json?.reason)).then(
    (reason) => ({ reason, unreadable: false }),
    () => ({ reason: undefined, unreadable: true }),
  );
  try {
    const deleted = await deleteStudy(getRuntime(), principalOf(caller), uid, { ...body, resource: requestResource(request) });
    const notice = `Study deleted: ${deleted.instances} image${deleted.instances === 1 ? '' : 's'} removed.`;
    return isForm
      ? new Response(null, { status: 303, headers: { location: `/?notice=${encodeURIComponent(notice)}` } })
      : Response.json({ status: 'deleted', ...deleted }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    // The study page's form comes back to the page with the words; an unknown study stays a plain 404
    if (isForm && isDomainError(error) && error.code !== 'NOT_FOUND') {
      return new Response(null, { status: 303, headers: { location: `/studies/${encodeURIComponent(uid)}?error=${encodeURIComponent(error.userMessage)}` } });
    }
    return errorResponse(error, 'delete study');
  }
}
