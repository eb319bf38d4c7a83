// GET /api/patients/:id/link-candidates?q=<MRN or name> → {candidates: [...]}:
// records in the facilities the caller administers that could be linked to
// :id (lib/patients/find-link-candidates.ts). 404 unless the caller
// administers :id's facility.
import { findLinkCandidates } from '../../../../../lib/patients/find-link-candidates';
import { getRuntime } from '../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withSignedInCaller(request, 'find link candidates', async (_caller, actor) => {
    const q = new URL(request.url).searchParams.get('q') ?? '';
    return noStore({ candidates: await findLinkCandidates(getRuntime(), actor, { patientId: id, q }) });
  });
}
