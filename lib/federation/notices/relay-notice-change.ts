// A change of a notice shared with a paired node travels there (issue 19): the receiving
// team's acknowledgment, acceptance, redirect (to another service of its node), arrival and messages back to the sending node; the
// sender's cancel, ETA, vitals and messages to the receiving node. queueNoticeChange() is
// called inside the change's own transaction (an outbox: the job exists iff the change
// committed) and does nothing for a notice that stays on this node; the job
// (federation.notice-change, high priority, retried with backoff) makes the signed call
// POST /federation/v1/notices/{id}/changes, {id} being the notice's id at the node that
// sent it, acting for the person who made the change. Changes applied because a peer told
// them (receive-notice-change.ts) are not queued again.
import { defineJob, type JobDefinition } from '../../jobs/registry';
import { EMERGENCY_MAX_ATTEMPTS, enqueueJob, JOB_PRIORITY } from '../../jobs/enqueue-job';
import { noticePeerOfService } from '../../policy/federated-notice-access';
import type { TransferTx } from '../../transfers/transfer-types';
import { federationSelf } from '../federation-self';
import { callPeerJson } from '../node-client';
import { noticeActor, type NoticeJobOptions } from './forward-notice-job';
import type { NoticeChange, NoticeChangeInput } from './notice-words';

export interface NoticeChangePayload {
  noticeId: string;
  change: NoticeChange;
  /** The TransferEvent (or TransferMessage, for a message) that records it here */
  changeId: string;
}

type Shared = { id: string; peerId: string | null; targetServiceId: string };

/** Whether the notice is shared with a paired node (received from one, or addressed to a service of one). */
async function sharedWithPeer(tx: TransferTx, notice: Shared): Promise<boolean> {
  if (notice.peerId) return true;
  const service = await tx.service.findUnique({ where: { id: notice.targetServiceId }, select: { remoteId: true } });
  return Boolean(service?.remoteId);
}

/** In the change's transaction: queues the call that tells the peer (the latest event of this action, or the message given). */
export async function queueNoticeChange(tx: TransferTx, notice: Shared, change: NoticeChange, facilityId: string | null, changeId?: string): Promise<void> {
  if (!(await sharedWithPeer(tx, notice))) return;
  const id = changeId ?? (await tx.transferEvent.findFirst({ where: { noticeId: notice.id, action: change }, orderBy: [{ at: 'desc' }, { id: 'desc' }], select: { id: true } }))?.id;
  if (!id) return;
  await enqueueJob(tx, { type: 'federation.notice-change', key: `${notice.id}:${id}`, payload: { noticeId: notice.id, change, changeId: id }, facilityId, maxAttempts: EMERGENCY_MAX_ATTEMPTS, priority: JOB_PRIORITY.EMERGENCY_NOTICE });
}

export function createNoticeChangeJob(options: NoticeJobOptions): JobDefinition<'federation.notice-change'> {
  return defineJob('federation.notice-change', async (payload, { db }) => {
    const notice = await db.transferNotice.findUnique({ where: { id: payload.noticeId } });
    if (!notice) return;
    // The peer and the notice's id there's side: received here → back to its sender; sent from here → to its receiver
    let peer: { nodeId: string; name: string; url: string; status: string } | null;
    let originId: string;
    let actingFacilityId: string;
    if (notice.peerId && notice.remoteId) {
      peer = await db.nodePeer.findUnique({ where: { id: notice.peerId }, select: { nodeId: true, name: true, url: true, status: true } });
      originId = notice.remoteId;
      actingFacilityId = notice.targetFacilityId;
    } else {
      peer = (await noticePeerOfService(db, notice.targetServiceId))?.peer ?? null;
      originId = notice.id;
      actingFacilityId = notice.sendingFacilityId;
      // Not delivered yet: wait for it (retried); never delivered (cancelled first): nothing to tell
      if (!(await db.transferEvent.findFirst({ where: { noticeId: notice.id, action: 'forward' }, select: { id: true } }))) {
        const forward = await db.job.findUnique({ where: { type_key: { type: 'federation.forward-notice', key: notice.id } }, select: { state: true } });
        if (!forward || forward.state === 'DONE') return;
        throw new Error('the notice is not yet delivered to the other node: this change waits for it');
      }
    }
    if (!peer || peer.status === 'UNPAIRED') return;
    if (peer.status !== 'ACTIVE') throw new Error(`the pairing with ${peer.name} is suspended: the change waits`);
    let body: NoticeChangeInput;
    let actorId: string | null;
    if (payload.change === 'message') {
      const message = await db.transferMessage.findUnique({ where: { id: payload.changeId } });
      if (!message) return;
      body = { changeId: message.id, change: 'message', at: message.createdAt.toISOString(), body: message.body };
      actorId = message.authorId;
    } else {
      const event = await db.transferEvent.findUnique({ where: { id: payload.changeId } });
      if (!event) return;
      const details = JSON.parse(event.details) as Record<string, unknown>;
      body = { changeId: event.id, change: payload.change, at: event.at.toISOString(), note: String(details.note ?? details.reason ?? '').slice(0, 2000) };
      if (payload.change === 'eta' && typeof details.etaAt === 'string') body.etaAt = details.etaAt;
      if (payload.change === 'vitals') body.vitals = details as Record<string, number | string>;
      if (payload.change === 'redirect' && typeof details.serviceId === 'string') body.serviceId = details.serviceId;
      actorId = event.actorId;
    }
    const actor = await noticeActor(db, actorId ?? 'system', actingFacilityId);
    const { identity } = federationSelf(options.config, options.shared);
    await callPeerJson(identity, peer, { method: 'POST', path: `/notices/${encodeURIComponent(originId)}/changes`, actor, json: body, timeoutMs: 15_000, idempotent: true });
  });
}
