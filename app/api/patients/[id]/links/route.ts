// POST /api/patients/:id/links {otherPatientId} → 201 {personId}: an
// administrator of both facilities links the two records as one person
// (lib/patients/link-patients.ts). 404 for anyone else, 409 when linked already.
import { linkPatients } from '../../../../../lib/patients/link-patients';
import { getRuntime } from '../../../../../lib/runtime';
import { jsonBody, noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withSignedInCaller(request, 'link patients', async (_caller, actor) => {
    const body = await jsonBody(request);
    const otherPatientId = body && typeof body === 'object' ? (body as Record<string, unknown>).otherPatientId : undefined;
    return noStore(await linkPatients(getRuntime(), actor, { patientId: id, otherPatientId }), 201);
  });
}
