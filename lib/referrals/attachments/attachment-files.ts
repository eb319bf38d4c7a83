// What a case's attachment may be and how it is kept (issue 15): a PDF, JPEG
// or PNG file, at most 20 MB, recognised by its first bytes (not by its name
// or the type the browser declared), its name cut down to a plain file name.
// The bytes are kept as sent in the archive's blob store under
// referrals/<referralId>/<attachmentId>; the archive copy (Encapsulated PDF or
// Secondary Capture) is made by a job (archive-attachment-job.ts).
import { DomainError } from '../../errors';

/** 20 MB: a scanned letter or a lab report, not a study (studies go through the archive's doors) */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
/** A file name is kept to this many characters (the extension kept) */
export const MAX_FILE_NAME_LENGTH = 200;

export type AttachmentContentType = 'application/pdf' | 'image/jpeg' | 'image/png';

export const ATTACHMENT_TYPES_MESSAGE = 'Attach a PDF, JPEG or PNG file.';

const EXTENSION: Record<AttachmentContentType, string> = { 'application/pdf': '.pdf', 'image/jpeg': '.jpg', 'image/png': '.png' };

/** The type the file's first bytes say it is, or null for anything else. */
export function sniffContentType(bytes: Uint8Array): AttachmentContentType | null {
  const starts = (...signature: number[]) => bytes.length >= signature.length && signature.every((byte, index) => bytes[index] === byte);
  // "%PDF-" (ISO 32000-1 7.5.2: the header is the file's first line)
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf';
  // SOI and the first marker's 0xFF
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  // The PNG signature, all 8 bytes
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  return null;
}

/** The checks every attachment passes before anything is stored: not empty, not too large, a PDF, JPEG or PNG. */
export function checkAttachmentBytes(bytes: Uint8Array): AttachmentContentType {
  if (bytes.length === 0) {
    throw new DomainError('INVALID_INPUT', 'empty attachment', { userMessage: 'The file is empty.', fields: { file: 'The file is empty.' } });
  }
  if (bytes.length > MAX_ATTACHMENT_BYTES) {
    const message = `The file is larger than ${MAX_ATTACHMENT_BYTES / (1024 * 1024)} MB.`;
    throw new DomainError('PAYLOAD_TOO_LARGE', `attachment of ${bytes.length} bytes, over the limit of ${MAX_ATTACHMENT_BYTES}`, { userMessage: message, fields: { file: message } });
  }
  const contentType = sniffContentType(bytes);
  if (!contentType) {
    throw new DomainError('INVALID_INPUT', 'attachment is not a PDF, JPEG or PNG (by its first bytes)', { userMessage: ATTACHMENT_TYPES_MESSAGE, fields: { file: ATTACHMENT_TYPES_MESSAGE } });
  }
  return contentType;
}

/**
 * A file name fit to keep and to offer back: the last part of a path (a
 * browser may send C:\fakepath\letter.pdf), without control characters or the
 * characters file systems refuse, at most 200 characters with its extension
 * kept; "attachment.pdf" (etc.) when nothing is left.
 */
export function sanitizeFileName(name: string, contentType: AttachmentContentType): string {
  const base = name.normalize('NFC').split(/[/\\]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*]/g, '').replace(/\s+/g, ' ').trim().replace(/^\.+/, '');
  if (!cleaned) return `attachment${EXTENSION[contentType]}`;
  const characters = [...cleaned];
  if (characters.length <= MAX_FILE_NAME_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 && cleaned.length - dot <= 10 ? [...cleaned.slice(dot)] : [];
  return characters.slice(0, MAX_FILE_NAME_LENGTH - extension.length).join('').trimEnd() + extension.join('');
}

/** Where the bytes are kept in the archive's blob store (keys of instances start with a Study Instance UID, so they cannot meet). */
export function attachmentBlobKey(referralId: string, attachmentId: string): string {
  const safe = /^[A-Za-z0-9_-]+$/;
  if (!safe.test(referralId) || !safe.test(attachmentId)) throw new Error(`unsafe id for a blob key: ${referralId}/${attachmentId}`);
  return `referrals/${referralId}/${attachmentId}`;
}

/** An attachment as the case shows it. */
export interface ReferralAttachmentView {
  id: string;
  fileName: string;
  contentType: string;
  size: number;
  createdAt: Date;
  /** In the archive (Encapsulated PDF / Secondary Capture in the case's primary study) */
  archived: boolean;
}

export function referralAttachmentView(row: { id: string; fileName: string; contentType: string; size: number; createdAt: Date; sopInstanceUid: string | null }): ReferralAttachmentView {
  return { id: row.id, fileName: row.fileName, contentType: row.contentType, size: row.size, createdAt: row.createdAt, archived: row.sopInstanceUid !== null };
}

export const ATTACHMENT_VIEW_SELECT = { id: true, fileName: true, contentType: true, size: true, createdAt: true, sopInstanceUid: true } as const;
