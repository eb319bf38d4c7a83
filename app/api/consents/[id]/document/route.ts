// GET /api/consents/{id}/document — the consent's evidence as kept (the signed form, the scan, or the
// verbal record), application/pdf, to members of the facilities holding the person's records; audited
// (consent.document). 404 otherwise, and for a consent without a document (sent by a hospital system).
import { DomainError } from '../../../../../lib/errors';
import { openConsentDocument } from '../../../../../lib/consent/open-consent-document';
import { getRuntime } from '../../../../../lib/runtime';
import { principalOf, requireApiUser } from '../../../../_lib/api-session';
import { errorResponse } from '../../../../_lib/error-response';
import { auditRefusedRequest } from '../../../../_lib/refused-attempt';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const document = await openConsentDocument(getRuntime(), principalOf(caller), id);
    return new Response(new Uint8Array(document.bytes), {
      headers: { 'content-type': 'application/pdf', 'content-disposition': `inline; filename="${document.fileName}"`, 'cache-control': 'no-store' },
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') await auditRefusedRequest(caller, request, 'consent.document', { kind: 'consent', id: id.slice(0, 64) });
    return errorResponse(error, 'consent document');
  }
}
