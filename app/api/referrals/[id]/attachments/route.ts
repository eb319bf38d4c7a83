// POST /api/referrals/{id}/attachments — multipart/form-data with `file` (PDF, JPEG or PNG, at most
// 20 MB; the type is read from the bytes) and optional `messageId` (a message of this case)
// → 201 {id, fileName, contentType, size, createdAt, archived: false}; the archive copy
// (Encapsulated PDF / Secondary Capture in the case's first study) follows as a background job.
// 400 with fields.file for a wrong or empty file, 413 for a larger one, 409 for a closed case, 404 otherwise.
import { DomainError } from '../../../../../lib/errors';
import { addReferralAttachment } from '../../../../../lib/referrals/add-attachment';
import { MAX_ATTACHMENT_BYTES } from '../../../../../lib/referrals/attachments/attachment-files';
import { getRuntime } from '../../../../../lib/runtime';
import { referralAnswer, withReferralCaller } from '../../_lib/referral-route';

export const dynamic = 'force-dynamic';

/** The multipart envelope around the file */
const FORM_OVERHEAD = 64 * 1024;

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return withReferralCaller(request, 'referral attachment', id, async (principal) => {
    // Refuse an oversized body before reading it (a body without a length is read, then checked by size)
    if (Number(request.headers.get('content-length') ?? 0) > MAX_ATTACHMENT_BYTES + FORM_OVERHEAD) throw tooLarge();
    const form = await request.formData().catch(() => null);
    const file = form?.get('file');
    if (!form || !(file instanceof File)) {
      throw new DomainError('INVALID_INPUT', 'no file part', { userMessage: 'Choose a file to attach.', fields: { file: 'Choose a file to attach' } });
    }
    if (file.size > MAX_ATTACHMENT_BYTES) throw tooLarge();
    const messageId = form.get('messageId');
    const view = await addReferralAttachment(getRuntime(), principal, id, {
      fileName: file.name,
      declaredContentType: file.type,
      bytes: Buffer.from(await file.arrayBuffer()),
      messageId: typeof messageId === 'string' && messageId ? messageId : null,
    });
    return referralAnswer(view, 201);
  });
}

function tooLarge(): DomainError {
  return new DomainError('PAYLOAD_TOO_LARGE', 'attachment too large', { userMessage: 'A file can be at most 20 MB.', fields: { file: 'A file can be at most 20 MB' } });
}
