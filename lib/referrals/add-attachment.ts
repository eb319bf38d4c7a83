// A party attaches a file to a case or to one of its messages (issue 15):
// the case's rule decides who (lib/policy/referral-access.ts); the file is
// checked and kept as sent (attachments/save-attachment.ts), its row, its
// archive job and the audit row commit together; the parties' pages are told.
// A closed or cancelled case takes no more files.
import { DomainError } from '../errors';
import { wakeJobRunners } from '../jobs/job-signals';
import type { Principal } from '../policy/principal';
import type { Runtime } from '../runtime';
import { prepareReferralAttachment, recordReferralAttachment } from './attachments/save-attachment';
import type { ReferralAttachmentView } from './attachments/attachment-files';
import { readReferralAttachmentBytes, type AttachmentFile } from './attachments/read-attachment';
import { auditQueueFor } from '../audit/audit-queue';
import { loadReferral } from './load-referral';
import { auditedReferral, recordReferralAudit, referralAuditEvent } from './referral-audit';
import { publishReferralChanged } from './referral-events';
import { queueReferralChange } from '../federation/referrals/relay-referral-change';

export type AttachmentOperationContext = Pick<Runtime, 'db' | 'archive' | 'shared' | 'logger'> & Partial<Pick<Runtime, 'io' | 'config'>>;

/** A case over takes no more files (here, or told by another node) */
export const CLOSED_TO_FILES: readonly string[] = ['CLOSED', 'CANCELLED'];

export async function addReferralAttachment(
  context: AttachmentOperationContext,
  principal: Principal,
  referralId: string,
  file: { fileName: string; declaredContentType?: string; bytes: Buffer; messageId?: string | null },
): Promise<ReferralAttachmentView> {
  const { referral } = await loadReferral(context.db, principal, referralId);
  if (CLOSED_TO_FILES.includes(referral.status)) throw new DomainError('CONFLICT', `attachment refused in ${referral.status}`, { userMessage: 'This case is over: it takes no more files.' });
  const prepared = await prepareReferralAttachment(context, { referralId: referral.id, messageId: file.messageId ?? null, uploadedById: principal.userId, fileName: file.fileName, declaredContentType: file.declaredContentType, bytes: file.bytes });
  const view = await context.db.$transaction(async (tx) => {
    const recorded = await recordReferralAttachment(tx, prepared);
    await recordReferralAudit(tx, principal, auditedReferral(referral), 'referral.attachment', { attachmentId: recorded.id, fileName: recorded.fileName, contentType: recorded.contentType, size: recorded.size });
    await queueReferralChange(tx, referral, 'attachment', recorded.id);
    return recorded;
  });
  wakeJobRunners();
  await publishReferralChanged(context, { referralId: referral.id, status: referral.status, priority: referral.priority, change: 'attachment' }, [referral]);
  return view;
}

/** A party opens an attachment (the file as sent): audited as a read. */
export async function openReferralAttachment(context: AttachmentOperationContext, principal: Principal, referralId: string, attachmentId: string): Promise<AttachmentFile> {
  const { referral } = await loadReferral(context.db, principal, referralId);
  const file = await readReferralAttachmentBytes(context, attachmentId, { referralId: referral.id });
  auditQueueFor(context).enqueue(referralAuditEvent(principal, auditedReferral(referral), 'referral.attachment.download', { attachmentId }));
  return file;
}
