// POST /api/transfers/{id}/consultation → 201 {id, created, path}: a live teleconsultation on the notice's first
//   study with the other team (the sender, or the receiver who acknowledged); an open one is reused (200).
import { startTransferConsultation } from '../../../../../lib/transfers/start-transfer-consultation';
import { getRuntime } from '../../../../../lib/runtime';
import { transferAnswer, withTransferCaller } from '../../_lib/transfer-route';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withTransferCaller(request, 'start transfer consultation', id, async (actor) => {
    const started = await startTransferConsultation(getRuntime(), actor, id);
    return transferAnswer({ ...started, path: `/consultations/${started.id}` }, started.created ? 201 : 200);
  });
}
