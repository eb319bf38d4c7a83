// POST /api/admin/facilities/:facilityId/hl7-messages/:messageId/reprocess → {messageId, status, ackCode, ackText, attempts}
// An inbound message that failed (ERROR, REJECTED) is processed again (audited admin.hl7_message.reprocess);
// 409 for any other status, 404 for anyone who may not read it.
import { reprocessHl7Message } from '../../../../../../../../lib/hl7/admin/reprocess-hl7-message';
import { getRuntime } from '../../../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ facilityId: string; messageId: string }> }): Promise<Response> {
  const { facilityId, messageId } = await params;
  return withSignedInCaller(request, 'reprocess HL7 message', async (_caller, actor) => noStore(await reprocessHl7Message(getRuntime(), actor, facilityId, messageId)));
}
