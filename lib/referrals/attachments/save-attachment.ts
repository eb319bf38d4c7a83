// Keeping a file sent with a case or one of its messages (issue 15): checked
// (attachment-files.ts: PDF, JPEG or PNG by its first bytes, not empty, at
// most 20 MB; an image must decode), its bytes written durably to the
// archive's blob store, then the ReferralAttachment row and the job that files
// it into the archive (referral.attachment-archive) committed together.
//
// The caller has decided that the user may add to this case (lib/policy);
// nothing here looks at who asks.
//
// Order: the blob is written before the row's transaction, so a committed row
// always has its bytes. A transaction that fails after the write leaves the
// blob without a row (an orphan under referrals/<referralId>/, logged by the
// caller's error; harmless, and the name is a fresh random id, so it is never
// mistaken for another attachment). Nothing is deleted on failure: the blob
// store has no transaction to tie the delete to.
//
// Two steps for callers that add attachments inside their own transaction
// (creating a case with its files): prepareReferralAttachment() before it (the
// checks, the decode and the fsync of up to 20 MB are not work to do while
// holding the database's write lock), recordReferralAttachment(tx, …) inside.
// saveReferralAttachment() does both.
import { createHash, randomUUID } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import type { Database, Prisma } from '../../../prisma/database';
import { DomainError } from '../../errors';
import { enqueueJob } from '../../jobs/enqueue-job';
import { wakeJobRunners } from '../../jobs/job-signals';
import { ATTACHMENT_VIEW_SELECT, attachmentBlobKey, checkAttachmentBytes, referralAttachmentView, sanitizeFileName, type AttachmentContentType, type ReferralAttachmentView } from './attachment-files';
import { checkAttachmentImage } from './attachment-image';

export const ARCHIVE_ATTACHMENT_JOB = 'referral.attachment-archive';

export interface AttachmentContext {
  db: Database;
  archive: Pick<Archive, 'store'>;
}

export interface SaveReferralAttachmentInput {
  /** Its id when it has one already (a file told by another node keeps the id it has there); otherwise a new one */
  id?: string;
  referralId: string;
  /** The message it was sent with; null or absent: sent with the case itself */
  messageId?: string | null;
  uploadedById: string;
  /** As the browser or client sent it; only its last part is kept, sanitised */
  fileName: string;
  /** What the client said it is: not trusted, the first bytes decide (accepted so callers can pass it on; unused) */
  declaredContentType?: string;
  bytes: Buffer;
}

/** An attachment whose bytes are stored and which may now be recorded. */
export interface PreparedReferralAttachment {
  id: string;
  referralId: string;
  messageId: string | null;
  uploadedById: string;
  fileName: string;
  contentType: AttachmentContentType;
  size: number;
  sha256: string;
  blobKey: string;
}

type Transaction = Prisma.TransactionClient;

/** Checks the file and stores its bytes (durably) in the blob store; no database write. */
export async function prepareReferralAttachment(context: Pick<AttachmentContext, 'archive'>, input: SaveReferralAttachmentInput): Promise<PreparedReferralAttachment> {
  const contentType = checkAttachmentBytes(input.bytes);
  if (contentType !== 'application/pdf') await checkAttachmentImage(input.bytes);
  const id = input.id ?? randomUUID();
  const blobKey = attachmentBlobKey(input.referralId, id);
  await context.archive.store.put(blobKey, input.bytes);
  return {
    id,
    referralId: input.referralId,
    messageId: input.messageId ?? null,
    uploadedById: input.uploadedById,
    fileName: sanitizeFileName(input.fileName, contentType),
    contentType,
    size: input.bytes.length,
    sha256: createHash('sha256').update(input.bytes).digest('hex'),
    blobKey,
  };
}

/**
 * Inside the caller's transaction: the row and its archive job (keyed by the
 * attachment's id). After the commit the caller calls wakeJobRunners() so the
 * copy is made at once. NOT_FOUND when the case, or the message on this case,
 * is not there.
 */
export async function recordReferralAttachment(tx: Transaction, prepared: PreparedReferralAttachment, options: { archive?: boolean } = {}): Promise<ReferralAttachmentView> {
  const referral = await tx.referral.findUnique({ where: { id: prepared.referralId }, select: { facilityId: true } });
  if (!referral) throw new DomainError('NOT_FOUND', `referral ${prepared.referralId} not found for an attachment`, { userMessage: 'Not found.' });
  if (prepared.messageId) {
    const message = await tx.referralMessage.findFirst({ where: { id: prepared.messageId, referralId: prepared.referralId }, select: { id: true } });
    if (!message) throw new DomainError('NOT_FOUND', `message ${prepared.messageId} is not on referral ${prepared.referralId}`, { userMessage: 'Not found.' });
  }
  const row = await tx.referralAttachment.create({
    data: {
      id: prepared.id,
      referralId: prepared.referralId,
      messageId: prepared.messageId,
      uploadedById: prepared.uploadedById,
      fileName: prepared.fileName,
      contentType: prepared.contentType,
      size: prepared.size,
      sha256: prepared.sha256,
      blobKey: prepared.blobKey,
    },
    select: ATTACHMENT_VIEW_SELECT,
  });
  // A file told by another node (issue 19) is filed into the archive there, by its own node: not twice
  if (options.archive !== false) await enqueueJob(tx, { type: ARCHIVE_ATTACHMENT_JOB, key: prepared.id, payload: { attachmentId: prepared.id }, facilityId: referral.facilityId });
  return referralAttachmentView(row);
}

/**
 * Checks and keeps one attachment of a case: in `tx` when given (the caller
 * commits, then calls wakeJobRunners()), else in a transaction of its own
 * (and the job runners are woken here). INVALID_INPUT (fields.file) for an
 * empty file, a file that is not a PDF, JPEG or PNG, an image that does not
 * decode or has over 100 megapixels; PAYLOAD_TOO_LARGE over 20 MB.
 */
export async function saveReferralAttachment(context: AttachmentContext, tx: Transaction | null | undefined, input: SaveReferralAttachmentInput): Promise<ReferralAttachmentView> {
  const prepared = await prepareReferralAttachment(context, input);
  if (tx) return recordReferralAttachment(tx, prepared);
  const view = await context.db.$transaction((own) => recordReferralAttachment(own, prepared));
  wakeJobRunners();
  return view;
}
