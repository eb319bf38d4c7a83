// DELETE /api/admin/facilities/:facilityId/hl7-senders/:senderId → 204 (audited admin.hl7_sender.delete)
import { deleteHl7Sender } from '../../../../../../../lib/hl7/senders/delete-hl7-sender';
import { getRuntime } from '../../../../../../../lib/runtime';
import { withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, { params }: { params: Promise<{ facilityId: string; senderId: string }> }): Promise<Response> {
  const { facilityId, senderId } = await params;
  return withSignedInCaller(request, 'delete HL7 sender', async (_caller, actor) => {
    await deleteHl7Sender(getRuntime(), actor, facilityId, senderId);
    return new Response(null, { status: 204 });
  });
}
