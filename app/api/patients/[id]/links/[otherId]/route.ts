// DELETE /api/patients/:id/links/:otherId {reason} → 204: an administrator of
// both facilities takes record :otherId out of the person it shares with :id
// (lib/patients/unlink-patient.ts). 400 without a reason, 404 for anyone else,
// 409 when the records are not linked.
import { unlinkPatient } from '../../../../../../lib/patients/unlink-patient';
import { getRuntime } from '../../../../../../lib/runtime';
import { jsonBody, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string; otherId: string }> }): Promise<Response> {
  const { id, otherId } = await params;
  return withSignedInCaller(request, 'unlink patient', async (_caller, actor) => {
    const body = await jsonBody(request);
    const reason = body && typeof body === 'object' ? (body as Record<string, unknown>).reason : undefined;
    await unlinkPatient(getRuntime(), actor, { patientId: id, otherPatientId: otherId, reason });
    return new Response(null, { status: 204 });
  });
}
