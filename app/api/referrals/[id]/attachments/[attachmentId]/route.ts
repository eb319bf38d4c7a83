// GET /api/referrals/{id}/attachments/{attachmentId} — the file as sent (Content-Type from its bytes,
// Content-Disposition with its name; ?download=1 saves it instead of showing it); 404 for anyone who
// takes no part in the case, and for an attachment of another case.
import { openReferralAttachment } from '../../../../../../lib/referrals/add-attachment';
import { getRuntime } from '../../../../../../lib/runtime';
import { withReferralCaller } from '../../../_lib/referral-route';

export const dynamic = 'force-dynamic';

export async function GET(request: Request, { params }: { params: Promise<{ id: string; attachmentId: string }> }): Promise<Response> {
  const { id, attachmentId } = await params;
  return withReferralCaller(request, 'referral attachment download', id, async (principal) => {
    const file = await openReferralAttachment(getRuntime(), principal, id, attachmentId);
    const disposition = new URL(request.url).searchParams.get('download') === '1' ? 'attachment' : 'inline';
    const ascii = file.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return new Response(new Uint8Array(file.bytes), {
      headers: {
        'content-type': file.contentType,
        'content-length': String(file.bytes.length),
        'content-disposition': `${disposition}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
        'x-content-type-options': 'nosniff',
        'cache-control': 'private, no-store',
      },
    });
  });
}
