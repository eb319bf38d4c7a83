// POST /api/consultations/{id}/export-sr — a participant (not a guest) writes
// the session's annotations into the study as a DICOM SR measurement report.
// 201 {state: 'DONE', exportId, sopInstanceUid, seriesInstanceUid, annotationCount}
// once the archive has stored it; 202 with state 'PENDING' when it has not
// within 10 s (a background job stores it, retried until it does); 404 for anyone
// outside the session (as for an unknown id), 403 for a guest, 409 when there
// is nothing (or nothing writable) to export.
import { exportConsultationSr } from '../../../../../lib/consult/export-sr';
import { getRuntime } from '../../../../../lib/runtime';
import { principalOf, requireApiUser } from '../../../../_lib/api-session';
import { errorResponse } from '../../../../admin/_lib/api-handler';

export const dynamic = 'force-dynamic';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  try {
    const exported = await exportConsultationSr(getRuntime(), principalOf(caller), (await params).id);
    return Response.json(exported, { status: exported.state === 'DONE' ? 201 : 202, headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, 'export consultation SR');
  }
}
