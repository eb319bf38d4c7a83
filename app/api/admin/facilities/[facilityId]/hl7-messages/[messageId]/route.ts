// GET /api/admin/facilities/:facilityId/hl7-messages/:messageId → {message} with the raw text and the ACK
// as sent, one segment per line. Audited admin.hl7_message.view; 404 for anyone who may not read it.
import { viewHl7Message } from '../../../../../../../lib/hl7/admin/view-hl7-message';
import { getRuntime } from '../../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string; messageId: string }> }): Promise<Response> {
  const { facilityId, messageId } = await params;
  return withSignedInCaller(request, 'view HL7 message', async (_caller, actor) => noStore({ message: await viewHl7Message(getRuntime(), actor, facilityId, messageId) }));
}
