// What the teams do with a notice (issue 17), each recorded with who and when, audited,
// and told at once to the other side:
// - acknowledge (receiver): the alarm stops everywhere; SENT → ACKNOWLEDGED;
// - accept (receiver): bed and team ready; SENT or ACKNOWLEDGED → ACCEPTED;
// - redirect (receiver): to another service (of any facility) with a reason: the notice
//   moves there, its grants move with it, and it rings (and escalates) there from now;
// - arrive (receiver): the patient is here: ARRIVED, and the images stay readable for the
//   service's transferAccessHours from now;
// - cancel (sender): CANCELLED, the images' access ends now.
// On a notice shared with a paired node (issue 19), each change is also queued to be told there.
// Two clicks racing (two members acknowledging, a redirect against an accept): the first
// wins, the second gets CONFLICT saying what happened.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { closeRevokedSockets } from '../grants/close-revoked-sockets';
import type { RevokedGrant } from '../grants/revoke-grants';
import { wakeJobRunners } from '../jobs/job-signals';
import type { Principal } from '../policy/principal';
import { queueNoticeChange } from '../federation/notices/relay-notice-change';
import { scheduleTransferEscalation } from './escalate-transfer-job';
import { auditedTransfer, claimTransition, loadTransfer, requireSide, type LoadedTransfer } from './load-transfer';
import { accessEndFor, endTransferAccess, moveTransferAccessEnd, moveTransferGrants, revokeFormerTeamConsultations } from './transfer-access-grants';
import { recordTransferAudit } from './transfer-audit';
import { publishTransferChanged, ringTransferAlarm } from './transfer-events';
import { ZTransferAction } from './transfer-schemas';
import type { TransferContext } from './transfer-types';
import { OPEN_TRANSFER_STATUSES, TRANSFER_STATUS_WORDS, type TransferStatus } from './transfer-words';

export interface TransferActionResult {
  id: string;
  status: string;
}

export async function actOnTransfer(context: TransferContext, principal: Principal, noticeId: string, input: unknown, now = new Date()): Promise<TransferActionResult> {
  const { notice, sides } = await loadTransfer(context, principal, noticeId);
  const request = parseInput(ZTransferAction, input);
  const audited = auditedTransfer(notice);
  // The receiving team acts on the notice of the service it was authorized for: not on one a colleague redirected meanwhile
  const here = { targetServiceId: notice.targetServiceId };
  const revoked: RevokedGrant[] = [];
  let before: LoadedTransfer | undefined;
  let status: TransferStatus;

  switch (request.action) {
    case 'acknowledge': {
      requireSide(sides, 'RECEIVER', 'acknowledges a notice');
      status = 'ACKNOWLEDGED';
      await context.db.$transaction(async (tx) => {
        if (!(await claimTransition(tx, notice.id, ['SENT'], { status, acknowledgedAt: now, acknowledgedById: principal.userId }, here))) throw await conflict(context, notice, 'acknowledge');
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'acknowledge', at: now, details: JSON.stringify({ seconds: Math.round((now.getTime() - notice.alarmSince.getTime()) / 1000) }) } });
        await recordTransferAudit(tx, principal, audited, 'transfer.acknowledge', { from: notice.status, to: status });
        await queueNoticeChange(tx, notice, 'acknowledge', notice.targetFacilityId);
      });
      break;
    }
    case 'accept': {
      requireSide(sides, 'RECEIVER', 'accepts a transfer');
      status = 'ACCEPTED';
      await context.db.$transaction(async (tx) => {
        const acknowledged = notice.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedById: principal.userId };
        if (!(await claimTransition(tx, notice.id, ['SENT', 'ACKNOWLEDGED'], { status, acceptedAt: now, acceptedById: principal.userId, ...acknowledged }, here))) throw await conflict(context, notice, 'accept');
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'accept', at: now, details: JSON.stringify({ note: request.note }) } });
        await recordTransferAudit(tx, principal, audited, 'transfer.accept', { from: notice.status, to: status, reason: request.note || undefined });
        await queueNoticeChange(tx, notice, 'accept', notice.targetFacilityId);
      });
      break;
    }
    case 'redirect': {
      requireSide(sides, 'RECEIVER', 'redirects a notice');
      status = 'SENT';
      if (request.serviceId === notice.targetServiceId) throw new DomainError('INVALID_INPUT', 'redirect to the same service', { userMessage: 'Choose another service: the notice is already here.', fields: { serviceId: 'Choose another service' } });
      // A service of this node: a redirect to another node is not delivered there (yet)
      const target = await context.db.service.findFirst({ where: { id: request.serviceId, remoteId: null, disabledAt: null, facility: { disabledAt: null } }, select: { id: true, facilityId: true } });
      if (!target) throw new DomainError('INVALID_INPUT', 'unknown service', { userMessage: 'Choose a service from the list.', fields: { serviceId: 'Choose a service from the list' } });
      before = notice;
      await context.db.$transaction(async (tx) => {
        const moved = { status, targetServiceId: target.id, targetFacilityId: target.facilityId, alarmSince: now, escalatedAt: null, acknowledgedAt: null, acknowledgedById: null, acceptedAt: null, acceptedById: null, firstSeenAt: null, firstSeenById: null };
        // From the state the member saw: a redirect racing a colleague's acknowledgment or accept is refused, not applied over it
        if (!(await claimTransition(tx, notice.id, [notice.status], moved, here))) throw await conflict(context, notice, 'redirect');
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'redirect', at: now, details: JSON.stringify({ fromServiceId: notice.targetServiceId, serviceId: target.id, reason: request.reason }) } });
        const until = await accessEndFor(tx, target.id, notice.etaAt);
        revoked.push(...(await moveTransferGrants(tx, principal, notice, target.id, until, now)));
        revoked.push(...(await revokeFormerTeamConsultations(tx, principal, notice, { ...notice, targetServiceId: target.id, targetFacilityId: target.facilityId }, now)));
        await moveTransferAccessEnd(tx, notice, until, now);
        await recordTransferAudit(tx, principal, { ...audited, targetFacilityId: target.facilityId, formerTargetFacilityId: notice.targetFacilityId }, 'transfer.redirect', { from: notice.status, to: status, fromServiceId: notice.targetServiceId, serviceId: target.id, reason: request.reason });
        await scheduleTransferEscalation(tx, { id: notice.id, targetServiceId: target.id, targetFacilityId: target.facilityId, alarmSince: now });
        await queueNoticeChange(tx, notice, 'redirect', notice.targetFacilityId);
      });
      break;
    }
    case 'arrive': {
      requireSide(sides, 'RECEIVER', 'records the arrival');
      status = 'ARRIVED';
      await context.db.$transaction(async (tx) => {
        const acknowledged = notice.acknowledgedAt ? {} : { acknowledgedAt: now, acknowledgedById: principal.userId };
        if (!(await claimTransition(tx, notice.id, OPEN_TRANSFER_STATUSES, { status, arrivedAt: now, arrivedById: principal.userId, ...acknowledged }, here))) throw await conflict(context, notice, 'arrive');
        const until = await accessEndFor(tx, notice.targetServiceId, now);
        await moveTransferAccessEnd(tx, notice, until, now);
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'arrive', at: now, details: JSON.stringify({ note: request.note, grantsUntil: until.toISOString(), minutesAfterEta: Math.round((now.getTime() - notice.etaAt.getTime()) / 60_000) }) } });
        await recordTransferAudit(tx, principal, audited, 'transfer.arrive', { from: notice.status, to: status, grantsUntil: until.toISOString(), reason: request.note || undefined });
        await queueNoticeChange(tx, notice, 'arrive', notice.targetFacilityId);
      });
      break;
    }
    case 'cancel': {
      requireSide(sides, 'SENDER', 'cancels a notice');
      status = 'CANCELLED';
      await context.db.$transaction(async (tx) => {
        if (!(await claimTransition(tx, notice.id, OPEN_TRANSFER_STATUSES, { status, cancelledAt: now, cancelledById: principal.userId }))) throw await conflict(context, notice, 'cancel');
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'cancel', at: now, details: JSON.stringify({ reason: request.reason }) } });
        revoked.push(...(await endTransferAccess(tx, principal, notice, now)));
        await recordTransferAudit(tx, principal, audited, 'transfer.cancel', { from: notice.status, to: status, reason: request.reason || undefined });
        await queueNoticeChange(tx, notice, 'cancel', notice.sendingFacilityId);
      });
      break;
    }
  }
  wakeJobRunners();
  await closeRevokedSockets({ db: context.db, io: context.io }, revoked);
  const after = await context.db.transferNotice.findUniqueOrThrow({ where: { id: notice.id } });
  if (request.action === 'redirect') await ringTransferAlarm(context, after);
  await publishTransferChanged(context, after, request.action, before);
  return { id: notice.id, status: after.status };
}

/** The answer to the click that came second: what the notice is now, and who did it (or where it went). */
async function conflict(context: TransferContext, seen: { id: string; targetServiceId: string }, action: string): Promise<DomainError> {
  const now = await context.db.transferNotice.findUniqueOrThrow({ where: { id: seen.id }, select: { status: true, targetServiceId: true, acknowledgedById: true, acceptedById: true, arrivedById: true, cancelledById: true } });
  if (now.targetServiceId !== seen.targetServiceId && OPEN_TRANSFER_STATUSES.includes(now.status as TransferStatus)) {
    const service = await context.db.service.findUnique({ where: { id: now.targetServiceId }, select: { name: true, facility: { select: { name: true } } } });
    const where = service ? ` to ${service.name}, ${service.facility.name}` : '';
    return new DomainError('CONFLICT', `transfer ${action} refused: redirected`, { userMessage: `This notice was redirected${where}: nothing was changed.`, details: { status: now.status } });
  }
  const byId = { ACKNOWLEDGED: now.acknowledgedById, ACCEPTED: now.acceptedById, ARRIVED: now.arrivedById, CANCELLED: now.cancelledById, SENT: null }[now.status as TransferStatus] ?? null;
  const by = byId ? (await context.db.user.findUnique({ where: { id: byId }, select: { name: true, email: true } })) : null;
  const who = by ? ` by ${by.name || by.email}` : '';
  const state = TRANSFER_STATUS_WORDS[now.status as TransferStatus] ?? now.status;
  return new DomainError('CONFLICT', `transfer ${action} refused in ${now.status}`, { userMessage: `This notice is already ${state.toLowerCase()}${who}: nothing was changed.`, details: { status: now.status } });
}
