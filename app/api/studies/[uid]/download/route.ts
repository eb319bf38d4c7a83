// GET /api/studies/{uid}/download — the study's files as stored, in one zip,
// for whoever may read the study; 404 for anyone else (lib/studies/download-study.ts).
import { downloadStudy } from '../../../../../lib/studies/download-study';
import { getRuntime } from '../../../../../lib/runtime';
import { principalOf, requestResource, requireApiUser } from '../../../../_lib/api-session';
import { answerErrors } from '../../../../_lib/error-response';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ uid: string }> }): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const { uid } = await params;
  return answerErrors('download study', async () => {
    const download = await downloadStudy(getRuntime(), principalOf(caller), uid, { resource: requestResource(request) });
    return new Response(download.body, {
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${download.filename}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
