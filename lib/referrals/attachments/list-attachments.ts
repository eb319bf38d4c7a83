// A case's attachments, oldest first, for the case page and its messages
// (messageId null: sent with the case). The caller has decided the user may
// read the case.
import type { Database } from '../../../prisma/database';
import { ATTACHMENT_VIEW_SELECT, referralAttachmentView, type ReferralAttachmentView } from './attachment-files';

export interface ListedReferralAttachment extends ReferralAttachmentView {
  messageId: string | null;
}

export async function listReferralAttachments(context: { db: Database }, referralId: string): Promise<ListedReferralAttachment[]> {
  const rows = await context.db.referralAttachment.findMany({
    where: { referralId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { ...ATTACHMENT_VIEW_SELECT, messageId: true },
  });
  return rows.map((row) => ({ ...referralAttachmentView(row), messageId: row.messageId }));
}
