// A case's attachment as it was sent, for the download route: the bytes from
// the archive's blob store (not the DICOM copy), checked against the sha256
// taken at upload. The caller decides that the user may read the case
// (lib/policy) and names that case: an attachment of another case is
// NOT_FOUND, so a route authorised on one case cannot hand out another's.
import { createHash } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import { isArchiveError } from '../../../pacs-core/errors';
import type { Database } from '../../../prisma/database';
import { DomainError } from '../../errors';

export interface AttachmentFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

function notFound(message: string): DomainError {
  return new DomainError('NOT_FOUND', message, { userMessage: 'Not found.' });
}

/** The case an attachment belongs to (for the caller's access check), or NOT_FOUND. */
export async function referralIdOfAttachment(context: { db: Database }, attachmentId: string): Promise<string> {
  const row = await context.db.referralAttachment.findUnique({ where: { id: attachmentId }, select: { referralId: true } });
  if (!row) throw notFound(`attachment ${attachmentId} not found`);
  return row.referralId;
}

/** The file as sent; NOT_FOUND when it is not an attachment of `referralId` or its bytes are gone. */
export async function readReferralAttachmentBytes(context: { db: Database; archive: Pick<Archive, 'store'> }, attachmentId: string, of: { referralId: string }): Promise<AttachmentFile> {
  const row = await context.db.referralAttachment.findUnique({ where: { id: attachmentId }, select: { referralId: true, fileName: true, contentType: true, sha256: true, blobKey: true } });
  if (!row || row.referralId !== of.referralId) throw notFound(`attachment ${attachmentId} not found on referral ${of.referralId}`);
  let bytes: Buffer;
  try {
    bytes = await context.archive.store.get(row.blobKey);
  } catch (error) {
    if (isArchiveError(error) && error.code === 'NOT_FOUND') throw notFound(`attachment ${attachmentId}: its bytes (${row.blobKey}) are not in the blob store`);
    throw error;
  }
  // Damage on disk is not the user's to see as a file: a bug-class failure, logged by the route's mapper
  if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) throw new Error(`attachment ${attachmentId}: the stored bytes (${row.blobKey}) do not match their sha256`);
  return { fileName: row.fileName, contentType: row.contentType, bytes };
}
