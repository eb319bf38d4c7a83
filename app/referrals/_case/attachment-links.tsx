// Links to a case's attachments (GET /api/referrals/{id}/attachments/{attachmentId}):
// the file name, its size, and whether it is also in the archive (as DICOM).
import type { AttachmentRef } from '../../../lib/referrals/get-referral';
import styles from './case.module.css';

export function attachmentUrl(referralId: string, attachment: AttachmentRef): string {
  return `/api/referrals/${encodeURIComponent(referralId)}/attachments/${encodeURIComponent(attachment.id)}`;
}

function sizeText(bytes: number): string {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function AttachmentLinks({ referralId, attachments }: { referralId: string; attachments: AttachmentRef[] }) {
  if (!attachments.length) return null;
  return (
    <ul className={styles.attachments} aria-label="Attachments">
      {attachments.map((attachment) => (
        <li key={attachment.id}>
          <a href={attachmentUrl(referralId, attachment)} download={attachment.fileName}>
            {attachment.fileName}
          </a>{' '}
          <small>
            ({sizeText(attachment.size)}
            {attachment.archived ? ', in the archive' : ''})
          </small>
        </li>
      ))}
    </ul>
  );
}
