// GET /api/consultations/{id} — the session for its participants (who is
// invited, who came when); 404 for anyone else, as for an unknown id.
import { enterConsultation } from '../../../../lib/consult/enter-consultation';
import { getRuntime } from '../../../../lib/runtime';
import { requireApiUser } from '../../../_lib/api-session';
import { errorResponse } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const actor = { userId: caller.user.id, email: caller.user.email, ip: caller.client.ip };
    const consultation = await enterConsultation(getRuntime(), actor, (await params).id, 'api');
    return Response.json(consultation, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'read consultation');
  }
}
