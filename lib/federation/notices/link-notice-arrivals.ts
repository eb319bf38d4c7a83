// A notice received from a paired node and the images sent for it (issue 19) meet here,
// whichever arrives first: the notice (receive-notice.ts), the transfer's announcement
// (its inventory, an IN FederatedTransfer with source 'transfer-notice' and the sending
// node's notice id) or a batch of its images (the study copy now exists). Each study joins
// the notice once (TransferStudy, in the receiving facility: its members read it as any
// study of their facility), with the copy once it exists; the notice's parties are told.
// noticeArrivals() is what the board and the page show: "arriving 120/500".
import type { Database } from '../../../prisma/database';
import type { Runtime } from '../../runtime';
import { publishTransferChanged } from '../../transfers/transfer-events';
import { accessEndFor, grantReceivedCopies } from '../../transfers/transfer-access-grants';
import { NOTICE_TRANSFER_SOURCE } from './notice-words';
import { arrivalWords } from '../transfers/transfer-view';

type LinkContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger'>>;

export async function linkNoticeArrivals(context: LinkContext, peerId: string, remoteNoticeId: string, now = new Date()): Promise<void> {
  const { db } = context;
  const notice = await db.transferNotice.findUnique({ where: { peerId_remoteId: { peerId, remoteId: remoteNoticeId } }, include: { studies: true } });
  if (!notice) return;
  const incoming = await db.federatedTransfer.findMany({ where: { direction: 'IN', peerId, sourceType: NOTICE_TRANSFER_SOURCE, sourceId: remoteNoticeId }, select: { studyInstanceUid: true, localFacilityId: true } });
  let changed = false;
  for (const row of incoming) {
    const copy = await db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: row.localFacilityId, studyInstanceUid: row.studyInstanceUid } }, select: { id: true } });
    const linked = notice.studies.find((study) => study.studyInstanceUid === row.studyInstanceUid);
    if (!linked) {
      const made = await db.$transaction(async (tx) => {
        const again = await tx.transferStudy.findUnique({ where: { noticeId_studyInstanceUid: { noticeId: notice.id, studyInstanceUid: row.studyInstanceUid } }, select: { id: true } });
        if (again) return false;
        await tx.transferStudy.create({ data: { noticeId: notice.id, studyRef: copy?.id ?? null, studyFacilityId: row.localFacilityId, studyInstanceUid: row.studyInstanceUid, addedAt: now } });
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: null, action: 'study', at: now, details: JSON.stringify({ studyInstanceUid: row.studyInstanceUid, automatic: true }) } });
        return true;
      });
      changed ||= made;
    } else if (!linked.studyRef && copy) {
      const filled = await db.transferStudy.updateMany({ where: { id: linked.id, studyRef: null }, data: { studyRef: copy.id } });
      changed ||= filled.count === 1;
    }
  }
  if (!changed) return;
  // Redirected meanwhile to a service of another facility of this node: that service reads the copies too (transfer-access-grants.ts)
  if (notice.status !== 'CANCELLED') {
    const copies = await db.transferStudy.findMany({ where: { noticeId: notice.id, studyRef: { not: null } }, select: { studyRef: true, studyFacilityId: true, studyInstanceUid: true } });
    await db.$transaction(async (tx) => {
      const current = await tx.transferNotice.findUniqueOrThrow({ where: { id: notice.id } });
      const granted = await tx.accessGrant.findMany({ where: { sourceType: 'transfer', sourceId: notice.id, revokedAt: null }, select: { studyRef: true } });
      const missing = copies.filter((copy) => !granted.some((grant) => grant.studyRef === copy.studyRef)).map((copy) => ({ id: copy.studyRef!, facilityId: copy.studyFacilityId, studyInstanceUid: copy.studyInstanceUid }));
      if (missing.length) await grantReceivedCopies(tx, current, missing, await accessEndFor(tx, current.targetServiceId, current.arrivedAt ?? current.etaAt), now);
    });
  }
  await publishTransferChanged(context, notice, 'images');
}

export interface NoticeArrival {
  studyInstanceUid: string;
  done: number;
  total: number;
  /** RECEIVING | DONE */
  status: string;
  /** "arriving 120/500", "500/500 arrived" */
  words: string;
}

/** The images of a notice received from a paired node, as they arrive (empty for a notice made here). */
export async function noticeArrivals(db: Pick<Database, 'federatedTransfer'>, notice: { peerId: string | null; remoteId: string | null }): Promise<NoticeArrival[]> {
  if (!notice.peerId || !notice.remoteId) return [];
  const rows = await db.federatedTransfer.findMany({ where: { direction: 'IN', peerId: notice.peerId, sourceType: NOTICE_TRANSFER_SOURCE, sourceId: notice.remoteId }, select: { studyInstanceUid: true, done: true, total: true, status: true }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ ...row, words: arrivalWords(row) }));
}
