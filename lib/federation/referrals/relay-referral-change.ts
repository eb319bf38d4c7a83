// A change of a second-opinion case shared with a paired node travels there (issue 19): the
// expert side's claim, decline, start, question, forward (within its node), signed report
// and messages back to the requester's node; the requester's cancel, answer, close and
// messages to the expert's node. queueReferralChange() is called inside the change's own
// transaction (an outbox: the job exists iff the change committed) and does nothing for a
// case that stays on this node; the job (federation.referral-change, retried with backoff)
// makes the signed call POST /federation/v1/referrals/{id}/changes, {id} being the case's id
// at the requesting node, acting for the person who made the change. A signed report travels
// with 'complete': its text and signer, and its Encapsulated PDF and SR as stored here, each
// with its SHA-256 (report-back.ts). Changes applied because a peer told them
// (receive-referral-change.ts) are not queued again.
import { defineJob, type JobDefinition } from '../../jobs/registry';
import { enqueueJob } from '../../jobs/enqueue-job';
import { referralPeerOf } from '../../policy/federated-referral-access';
import type { ReferralTx } from '../../referrals/address-referral';
import { federationSelf } from '../federation-self';
import { callPeerJson } from '../node-client';
import { noticeActor, type NoticeJobOptions } from '../notices/forward-notice-job';
import { reportForPeer } from './report-back';
import { CHANGES_TOLD_BY, type ReferralChange, type ReferralChangeInput } from './referral-words';

export interface ReferralChangePayload {
  referralId: string;
  change: ReferralChange;
  /** The ReferralEvent (or ReferralMessage, for a message) that records it here */
  changeId: string;
}

type Shared = { id: string; facilityId: string; targetFacilityId: string; targetServiceId: string | null };

/** In the change's transaction: queues the call that tells the peer, when the case is shared with one (received from it, or addressed to it). */
export async function queueReferralChange(tx: ReferralTx, referral: Shared, change: string, changeId: string): Promise<void> {
  const row = await tx.referral.findUnique({ where: { id: referral.id }, select: { peerId: true } });
  if (!CHANGES_TOLD_BY[row?.peerId ? 'EXPERT' : 'REQUESTER'].includes(change as ReferralChange)) return;
  if (!row?.peerId && !(await referralPeerOf(tx, referral))) return;
  const facilityId = row?.peerId ? referral.targetFacilityId : referral.facilityId;
  await enqueueJob(tx, { type: 'federation.referral-change', key: `${referral.id}:${changeId}`, payload: { referralId: referral.id, change: change as ReferralChange, changeId }, facilityId, maxAttempts: 30 });
}

export function createReferralChangeJob(options: NoticeJobOptions): JobDefinition<'federation.referral-change'> {
  return defineJob('federation.referral-change', async (payload, context) => {
    const { db } = context;
    const referral = await db.referral.findUnique({ where: { id: payload.referralId } });
    if (!referral) return;
    // The peer and the case's id there's side: received here → back to the requester's node; sent from here → to the expert's
    let peer: { nodeId: string; name: string; url: string; status: string } | null;
    let originId: string;
    let actingFacilityId: string;
    if (referral.peerId && referral.remoteId) {
      peer = await db.nodePeer.findUnique({ where: { id: referral.peerId }, select: { nodeId: true, name: true, url: true, status: true } });
      originId = referral.remoteId;
      actingFacilityId = referral.targetFacilityId;
    } else {
      peer = (await referralPeerOf(db, referral))?.peer ?? null;
      originId = referral.id;
      actingFacilityId = referral.facilityId;
      // Not delivered yet: wait for it (retried); the delivery was dropped (cancelled first): nothing to tell
      if (!(await db.referralEvent.findFirst({ where: { referralId: referral.id, action: 'deliver' }, select: { id: true } }))) {
        const pending = await db.job.findFirst({ where: { type: 'federation.forward-referral', key: { startsWith: `${referral.id}:` }, state: { notIn: ['DONE', 'FAILED'] } }, select: { id: true } });
        if (!pending) return;
        throw new Error('the case is not yet delivered to the other node: this change waits for it');
      }
    }
    if (!peer || peer.status === 'UNPAIRED') return;
    if (peer.status !== 'ACTIVE') throw new Error(`the pairing with ${peer.name} is suspended: the change waits`);
    let body: ReferralChangeInput;
    let actorId: string | null;
    if (payload.change === 'attachment') {
      const attachment = await db.referralAttachment.findUnique({ where: { id: payload.changeId } });
      if (!attachment) return;
      const bytes = await context.archive.store.get(attachment.blobKey);
      body = { changeId: attachment.id, change: 'attachment', at: attachment.createdAt.toISOString(), attachment: { fileName: attachment.fileName, sha256: attachment.sha256, data: bytes.toString('base64'), messageId: attachment.messageId } };
      actorId = attachment.uploadedById;
    } else if (payload.change === 'message') {
      const message = await db.referralMessage.findUnique({ where: { id: payload.changeId } });
      if (!message) return;
      body = { changeId: message.id, change: 'message', at: message.createdAt.toISOString(), body: message.body };
      actorId = message.authorId;
    } else {
      const event = await db.referralEvent.findUnique({ where: { id: payload.changeId } });
      if (!event) return;
      body = { changeId: event.id, change: payload.change, at: event.at.toISOString(), reason: event.reason };
      actorId = event.actorId;
      if (payload.change === 'ask' || payload.change === 'answer') {
        const message = await db.referralMessage.findFirst({ where: { referralId: referral.id, kind: payload.change === 'ask' ? 'QUESTION' : 'ANSWER', createdAt: { lte: event.at } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { body: true } });
        body.body = message?.body ?? '';
      }
      if (payload.change === 'forward') {
        const details = JSON.parse(event.details) as { addressee?: { serviceId?: string | null } };
        if (details.addressee?.serviceId) body.serviceId = details.addressee.serviceId;
      }
      if (payload.change === 'complete') {
        if (!referral.reportId) return;
        body.report = await reportForPeer(context, referral.reportId);
        actorId = actorId ?? referral.ownerId;
      }
    }
    const actor = await noticeActor(db, actorId ?? 'system', actingFacilityId);
    const { identity } = federationSelf(options.config, options.shared);
    await callPeerJson(identity, peer, { method: 'POST', path: `/referrals/${encodeURIComponent(originId)}/changes`, actor, json: body, timeoutMs: 60_000, idempotent: true });
  });
}
