// Co-signature of a report's working version (lib/reports/request-cosignature.ts):
// GET    → {colleagues: [{id, name, email}]} the author may ask to sign it
// POST   {baseRevision, signerUserId} → the report, waiting for that colleague's signature
//        (400 fields.signerUserId: that person cannot sign reports on this study)
// DELETE {baseRevision} → the report without the request (the author withdraws it, or the
//        colleague hands it back: then {report: null} when the draft is no longer theirs to see)
// The colleague signs with POST /api/reports/{id}/sign like the author.
import { listCosigners } from '../../../../../lib/reports/list-cosigners';
import { requestCosignature } from '../../../../../lib/reports/request-cosignature';
import { withdrawCosignature } from '../../../../../lib/reports/withdraw-cosignature';
import { getRuntime } from '../../../../../lib/runtime';
import { reportAnswer, withReportCaller } from '../../_lib/report-route';

export const dynamic = 'force-dynamic';

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'list co-signers', async (principal) => reportAnswer({ colleagues: await listCosigners(getRuntime(), principal, id) }));
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'request co-signature', async (principal, body) => reportAnswer(await requestCosignature(getRuntime(), principal, id, await body())));
}

export async function DELETE(request: Request, { params }: Params): Promise<Response> {
  const { id } = await params;
  return withReportCaller(request, 'withdraw co-signature', async (principal, body) => reportAnswer({ report: await withdrawCosignature(getRuntime(), principal, id, await body()) }));
}
