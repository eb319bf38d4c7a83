// POST /api/consultations {studyInstanceUid, invitees: [e-mail], title?} — a
// user who may read the study starts a teleconsultation on it and invites
// colleagues (users of this node). 201 {id, path}; a study the caller cannot
// see is 404; field errors are 400 with a message per field.
import { startConsultation } from '../../../lib/consult/consultations';
import { getRuntime } from '../../../lib/runtime';
import { principalOf, requireApiUser } from '../../_lib/api-session';
import { errorResponse, jsonBody } from '../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const { id } = await startConsultation(getRuntime(), principalOf(caller), await jsonBody(request));
    return Response.json({ id, path: `/consultations/${id}` }, { status: 201, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'start consultation');
  }
}
