// A paired node tells a change of a notice shared with it (issue 19): POST
// /federation/v1/notices/{id}/changes, {id} the notice's id at the node that sent it,
// acting for the person who made the change (their mirrored user here). Which changes a
// side may tell: the receiving node's team acknowledges, accepts, redirects to another service
// of its node, records the arrival and writes; the sending node's clinician cancels, moves the ETA, sends vitals and writes. Each
// is applied as the local operation would (same states, timeline, audit rows, news to the
// open pages), from the states that allow it — a change that came too late (the notice is
// already further) is left out; the same change told twice is applied once (changeId).
import type { Runtime } from '../../runtime';
import { DomainError } from '../../errors';
import { authorizePeerNoticeChange } from '../../policy/federated-notice-access';
import { PolicyError } from '../../policy/errors';
import { closeRevokedSockets } from '../../grants/close-revoked-sockets';
import type { RevokedGrant } from '../../grants/revoke-grants';
import { auditedTransfer, claimTransition } from '../../transfers/load-transfer';
import { accessEndFor, endTransferAccess, moveTransferAccessEnd, moveTransferGrants } from '../../transfers/transfer-access-grants';
import { recordTransferAudit } from '../../transfers/transfer-audit';
import { publishTransferChanged } from '../../transfers/transfer-events';
import { OPEN_TRANSFER_STATUSES } from '../../transfers/transfer-words';
import { wakeJobRunners } from '../../jobs/job-signals';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';
import { ZNoticeChange, type NoticeChange } from './notice-words';

type Peer = { id: string; nodeId: string; name: string };
type ChangeContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger'>>;

/** What each side's node may tell: ORIGIN = this node sent the notice (the peer received it) */
const TOLD_BY: Record<'ORIGIN' | 'RECEIVER', readonly NoticeChange[]> = {
  ORIGIN: ['seen', 'acknowledge', 'accept', 'redirect', 'arrive', 'message'],
  RECEIVER: ['cancel', 'eta', 'vitals', 'message'],
};

export async function receiveNoticeChange(context: ChangeContext, peer: Peer, actor: NodeActor, originNoticeId: string, body: unknown, sourceIp: string): Promise<{ id: string; status: string; applied: boolean }> {
  const { db } = context;
  const parsed = ZNoticeChange.safeParse(body);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', `change: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  const input = parsed.data;
  const { id, side } = await authorizePeerNoticeChange(db, peer.id, originNoticeId);
  if (!TOLD_BY[side].includes(input.change)) throw new PolicyError('FORBIDDEN', `the other node's team does not ${input.change} this notice`);
  const mirror = await mirrorUser(db, peer, actor);
  const principal = { userId: mirror.userId, email: mirror.label, ip: sourceIp };
  const notice = await db.transferNotice.findUniqueOrThrow({ where: { id }, include: { studies: { orderBy: { addedAt: 'asc' } } } });
  const marker = `"changeId":"${input.changeId}"`;
  const audited = auditedTransfer(notice);
  const at = input.at;
  const revoked: RevokedGrant[] = [];

  const applied = await db.$transaction(async (tx) => {
    if (await tx.transferEvent.findFirst({ where: { noticeId: id, details: { contains: marker } }, select: { id: true } })) return false;
    const event = (action: string, details: Record<string, unknown>) =>
      tx.transferEvent.create({ data: { noticeId: id, actorId: mirror.userId, action, at, details: JSON.stringify({ ...details, changeId: input.changeId, node: peer.name }) } });
    switch (input.change) {
      case 'seen': {
        // The sender reads "Seen by … at …" as for a local notice (first opened by the receiving team; again after a redirect)
        const seen = await tx.transferNotice.updateMany({ where: { id, firstSeenAt: null, status: { not: 'CANCELLED' } }, data: { firstSeenAt: at, firstSeenById: mirror.userId } });
        if (seen.count !== 1) return false;
        await event('seen', {});
        return true;
      }
      case 'acknowledge':
        if (!(await claimTransition(tx, id, ['SENT'], { status: 'ACKNOWLEDGED', acknowledgedAt: at, acknowledgedById: mirror.userId }))) return false;
        await event('acknowledge', { seconds: Math.max(0, Math.round((at.getTime() - notice.sentAt.getTime()) / 1000)) });
        await recordTransferAudit(tx, principal, audited, 'transfer.acknowledge', { from: notice.status, to: 'ACKNOWLEDGED', peerName: peer.name });
        return true;
      case 'accept': {
        const acknowledged = notice.acknowledgedAt ? {} : { acknowledgedAt: at, acknowledgedById: mirror.userId };
        if (!(await claimTransition(tx, id, ['SENT', 'ACKNOWLEDGED'], { status: 'ACCEPTED', acceptedAt: at, acceptedById: mirror.userId, ...acknowledged }))) return false;
        await event('accept', { note: input.note });
        await recordTransferAudit(tx, principal, audited, 'transfer.accept', { from: notice.status, to: 'ACCEPTED', reason: input.note || undefined, peerName: peer.name });
        return true;
      }
      case 'redirect': {
        // To the other node's service as mirrored here (a service it has not listed yet: the timeline says so, the notice stays)
        const target = input.serviceId ? await tx.service.findFirst({ where: { remoteId: input.serviceId, facility: { nodePeerId: peer.id } }, select: { id: true, facilityId: true, name: true } }) : null;
        if (!target || target.id === notice.targetServiceId) {
          await event('redirect', { reason: input.note, remoteServiceId: input.serviceId });
          return true;
        }
        const moved = { status: 'SENT', targetServiceId: target.id, targetFacilityId: target.facilityId, alarmSince: at, escalatedAt: null, acknowledgedAt: null, acknowledgedById: null, acceptedAt: null, acceptedById: null, firstSeenAt: null, firstSeenById: null };
        if (!(await claimTransition(tx, id, OPEN_TRANSFER_STATUSES, moved))) return false;
        const until = await accessEndFor(tx, target.id, notice.etaAt);
        revoked.push(...(await moveTransferGrants(tx, principal, notice, target.id, until, new Date())));
        await moveTransferAccessEnd(tx, notice, until, new Date());
        await event('redirect', { fromServiceId: notice.targetServiceId, serviceId: target.id, reason: input.note });
        await recordTransferAudit(tx, principal, { ...audited, targetFacilityId: target.facilityId, formerTargetFacilityId: notice.targetFacilityId }, 'transfer.redirect', { from: notice.status, to: 'SENT', fromServiceId: notice.targetServiceId, serviceId: target.id, reason: input.note || undefined, peerName: peer.name });
        return true;
      }
      case 'arrive': {
        const acknowledged = notice.acknowledgedAt ? {} : { acknowledgedAt: at, acknowledgedById: mirror.userId };
        if (!(await claimTransition(tx, id, OPEN_TRANSFER_STATUSES, { status: 'ARRIVED', arrivedAt: at, arrivedById: mirror.userId, ...acknowledged }))) return false;
        const until = await accessEndFor(tx, notice.targetServiceId, at);
        await moveTransferAccessEnd(tx, notice, until, new Date());
        await event('arrive', { note: input.note, grantsUntil: until.toISOString() });
        await recordTransferAudit(tx, principal, audited, 'transfer.arrive', { from: notice.status, to: 'ARRIVED', grantsUntil: until.toISOString(), peerName: peer.name });
        return true;
      }
      case 'cancel':
        if (!(await claimTransition(tx, id, OPEN_TRANSFER_STATUSES, { status: 'CANCELLED', cancelledAt: at, cancelledById: mirror.userId }))) return false;
        await event('cancel', { reason: input.note });
        revoked.push(...(await endTransferAccess(tx, principal, notice, new Date())));
        await recordTransferAudit(tx, principal, audited, 'transfer.cancel', { from: notice.status, to: 'CANCELLED', reason: input.note || undefined, peerName: peer.name });
        return true;
      case 'eta':
        if (!input.etaAt || !(await claimTransition(tx, id, OPEN_TRANSFER_STATUSES, { etaAt: input.etaAt }))) return false;
        await event('eta', { from: notice.etaAt.toISOString(), etaAt: input.etaAt.toISOString() });
        await recordTransferAudit(tx, principal, audited, 'transfer.update', { etaAt: input.etaAt.toISOString(), peerName: peer.name });
        return true;
      case 'vitals': {
        const vitals = Object.fromEntries(Object.entries(input.vitals ?? {}).filter(([key]) => key !== 'changeId' && key !== 'node'));
        if (!(await claimTransition(tx, id, OPEN_TRANSFER_STATUSES, { vitals: JSON.stringify(vitals) }))) return false;
        await event('vitals', vitals);
        await recordTransferAudit(tx, principal, audited, 'transfer.update', { vitals: true, peerName: peer.name });
        return true;
      }
      case 'message': {
        if (notice.status === 'CANCELLED' || !input.body) return false;
        const message = await tx.transferMessage.create({ data: { noticeId: id, authorId: mirror.userId, body: input.body, createdAt: at }, select: { id: true } });
        // The timeline's marker of the message told (a retried call finds it)
        await event('message', { messageId: message.id });
        await recordTransferAudit(tx, principal, audited, 'transfer.message', { messageId: message.id, peerName: peer.name });
        return true;
      }
    }
  });
  if (applied) {
    wakeJobRunners();
    await closeRevokedSockets({ db, io: context.io }, revoked);
    const after = await db.transferNotice.findUniqueOrThrow({ where: { id } });
    await publishTransferChanged(context, after, input.change);
    return { id, status: after.status, applied };
  }
  return { id, status: (await db.transferNotice.findUniqueOrThrow({ where: { id }, select: { status: true } })).status, applied };
}
