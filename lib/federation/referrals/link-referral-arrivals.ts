// A case received from a paired node and the studies sent for it (issue 19) meet here,
// whichever arrives first: the case (receive-referral.ts), a transfer's announcement (its
// inventory: an IN FederatedTransfer with source 'referral' and the requesting node's case
// id) or a batch of its images (the study copy now exists). Each study of the case gets its
// copy here once it exists (ReferralStudy.studyRef, in the facility of the case's service:
// its members read it as any study of their facility); the case's parties are told.
// referralArrivals() is what the case page shows meanwhile: "arriving 120/500".
import type { Database } from '../../../prisma/database';
import type { Runtime } from '../../runtime';
import { publishReferralChanged } from '../../referrals/referral-events';
import { REFERRAL_TRANSFER_SOURCE } from './referral-words';
import { arrivalWords } from '../transfers/transfer-view';

type LinkContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger'>>;

export async function linkReferralArrivals(context: LinkContext, peerId: string, remoteReferralId: string): Promise<void> {
  const { db } = context;
  const referral = await db.referral.findUnique({ where: { peerId_remoteId: { peerId, remoteId: remoteReferralId } }, include: { studies: true } });
  if (!referral) return;
  let changed = false;
  for (const study of referral.studies) {
    if (study.studyRef) continue;
    const copy = await db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: study.studyFacilityId, studyInstanceUid: study.studyInstanceUid } }, select: { id: true } });
    if (!copy) continue;
    const filled = await db.referralStudy.updateMany({ where: { id: study.id, studyRef: null }, data: { studyRef: copy.id } });
    changed ||= filled.count === 1;
  }
  if (changed) await publishReferralChanged(context, { referralId: referral.id, status: referral.status, priority: referral.priority, change: 'images' }, [referral]);
}

export interface ReferralArrival {
  studyInstanceUid: string;
  done: number;
  total: number;
  status: string;
  words: string;
}

/** The studies of a case received from a paired node, as they arrive (empty for a case made here). */
export async function referralArrivals(db: Pick<Database, 'federatedTransfer'>, referral: { peerId: string | null; remoteId: string | null }): Promise<ReferralArrival[]> {
  if (!referral.peerId || !referral.remoteId) return [];
  const rows = await db.federatedTransfer.findMany({ where: { direction: 'IN', peerId: referral.peerId, sourceType: REFERRAL_TRANSFER_SOURCE, sourceId: referral.remoteId }, select: { studyInstanceUid: true, done: true, total: true, status: true }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ ...row, words: arrivalWords(row) }));
}
