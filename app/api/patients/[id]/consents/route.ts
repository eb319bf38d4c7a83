// GET  /api/patients/{id}/consents — the person's consents and the history of every share of their
//      images with its basis (lib/consent/patient-consents.ts); members of the record's facility, 404 otherwise.
// POST /api/patients/{id}/consents — records a consent (lib/consent/record-consent.ts ZRecordConsent):
//      application/json, or multipart/form-data with `consent` (the same JSON) and `scan` (the scanned
//      form, PDF or JPEG, at most 20 MB) for SCANNED evidence → 201 {id, grantsEnded}.
//      400 with `fields` for a wrong form (an empty signature: fields.signature), 413 for a larger scan.
import { DomainError } from '../../../../../lib/errors';
import { getPatientConsents } from '../../../../../lib/consent/patient-consents';
import { recordConsent } from '../../../../../lib/consent/record-consent';
import { MAX_CONSENT_SCAN_BYTES } from '../../../../../lib/consent/consent-types';
import { getRuntime } from '../../../../../lib/runtime';
import { principalOf, requireApiUser } from '../../../../_lib/api-session';
import { errorResponse } from '../../../../_lib/error-response';
import { auditRefusedRequest } from '../../../../_lib/refused-attempt';

export const dynamic = 'force-dynamic';

const FORM_OVERHEAD = 64 * 1024;

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    return Response.json(await getPatientConsents(getRuntime(), principalOf(caller), id), { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') await auditRefusedRequest(caller, request, 'consent.view', { kind: 'patient', id: id.slice(0, 64) });
    return errorResponse(error, 'patient consents');
  }
}

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    let input: unknown;
    let scan: { bytes: Buffer; fileName: string } | null = null;
    if ((request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
      if (Number(request.headers.get('content-length') ?? 0) > MAX_CONSENT_SCAN_BYTES + FORM_OVERHEAD) throw tooLarge();
      const form = await request.formData().catch(() => null);
      const json = form?.get('consent');
      if (!form || typeof json !== 'string') throw new DomainError('BAD_REQUEST', 'no consent part', { userMessage: 'Send the consent as the `consent` part (JSON).' });
      input = parseJson(json);
      const file = form.get('scan');
      if (file instanceof File && file.size > 0) {
        if (file.size > MAX_CONSENT_SCAN_BYTES) throw tooLarge();
        scan = { bytes: Buffer.from(await file.arrayBuffer()), fileName: file.name };
      }
    } else {
      input = await request.json().catch(() => {
        throw new DomainError('BAD_REQUEST', 'body is not JSON', { userMessage: 'Send the consent as JSON.' });
      });
    }
    const recorded = await recordConsent(getRuntime(), principalOf(caller), id, input, scan);
    return Response.json(recorded, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'NOT_FOUND') await auditRefusedRequest(caller, request, 'consent.record', { kind: 'patient', id: id.slice(0, 64) });
    return errorResponse(error, 'record consent');
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('BAD_REQUEST', 'consent part is not JSON', { userMessage: 'The `consent` part must be JSON.' });
  }
}

function tooLarge(): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', 'consent scan too large', { userMessage: 'A scanned form can be at most 20 MB.', fields: { scan: 'A scanned form can be at most 20 MB' } });
}
