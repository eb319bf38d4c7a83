// GET /api/admin/facilities/:facilityId/hl7-messages?status=&direction=&limit= → {messages}, newest first
// (without the raw text: GET …/hl7-messages/:messageId has it). Audited admin.hl7_message.view.
import { listHl7Messages } from '../../../../../../lib/hl7/admin/list-hl7-messages';
import { getRuntime } from '../../../../../../lib/runtime';
import { noStore, withSignedInCaller } from '../../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ facilityId: string }> }): Promise<Response> {
  const { facilityId } = await params;
  const query = new URL(request.url).searchParams;
  return withSignedInCaller(request, 'list HL7 messages', async (_caller, actor) =>
    noStore({
      messages: await listHl7Messages(getRuntime(), actor, facilityId, {
        status: query.get('status') ?? undefined,
        direction: query.get('direction') ?? undefined,
        limit: query.get('limit') ?? undefined,
      }),
    }),
  );
}
