// One attachment of a case sent to the server (POST /api/referrals/{id}/attachments,
// multipart field `file`, optional `messageId`), with its progress: XMLHttpRequest,
// because fetch does not report how much of a body has gone out.
export const ATTACHMENT_TYPES = ['application/pdf', 'image/jpeg', 'image/png'];
export const ATTACHMENT_ACCEPT = '.pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png';
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

/** Why a chosen file cannot be attached, or null */
export function attachmentProblem(file: File): string | null {
  const byName = /\.(pdf|jpe?g|png)$/i.test(file.name);
  if (!ATTACHMENT_TYPES.includes(file.type) && !byName) return `${file.name}: only PDF, JPEG or PNG files can be attached`;
  if (file.size > MAX_ATTACHMENT_BYTES) return `${file.name}: larger than 20 MB`;
  if (file.size === 0) return `${file.name}: the file is empty`;
  return null;
}

export type UploadOutcome = { ok: true; id: string } | { ok: false; message: string };

export function uploadAttachment(referralId: string, file: File, onProgress: (fraction: number) => void, messageId?: string): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const form = new FormData();
    form.append('file', file, file.name);
    if (messageId) form.append('messageId', messageId);
    const request = new XMLHttpRequest();
    request.open('POST', `/api/referrals/${encodeURIComponent(referralId)}/attachments`);
    request.setRequestHeader('accept', 'application/json');
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      let body: { id?: string; message?: string } = {};
      try {
        body = JSON.parse(request.responseText) as typeof body;
      } catch {
        // not JSON (a proxy's page): the status speaks
      }
      if (request.status >= 200 && request.status < 300 && body.id) {
        onProgress(1);
        resolve({ ok: true, id: body.id });
      } else if (request.status === 413) {
        resolve({ ok: false, message: body.message ?? `${file.name} is too large.` });
      } else {
        resolve({ ok: false, message: body.message ?? `The server answered ${request.status}.` });
      }
    };
    request.onerror = () => resolve({ ok: false, message: 'The server could not be reached. Check the connection and try again.' });
    request.send(form);
  });
}
