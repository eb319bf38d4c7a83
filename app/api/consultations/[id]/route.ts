// GET /api/consultations/{id} — the session for its participants (who is
// invited, who came when); 404 for anyone else, as for an unknown id.
import { consultationForParticipant } from '../../../../lib/consult/consultations';
import { getRuntime } from '../../../../lib/runtime';
import { requireApiUser } from '../../../_lib/api-session';
import { errorResponse } from '../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const consultation = await consultationForParticipant(getRuntime().db, caller.user.id, (await params).id);
    return Response.json(consultation, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'read consultation');
  }
}
