// A paired node tells a change of a second-opinion case shared with it (issue 19): POST
// /federation/v1/referrals/{id}/changes, {id} the case's id at the requesting node, acting for
// the person who made the change (their mirrored user here). Which changes a side may tell:
// the expert's node claims, starts, asks, declines, forwards within its node, completes with
// the signed report; the requester's node cancels, answers and closes; either writes and
// attaches files (kept under their id at the telling node, checked as an upload is).
// Each is applied as the local operation would be (same states, thread, timeline, audit rows,
// e-mail, news to the open pages), from the states that allow it — the two nodes' jobs may
// deliver a claim and a start out of order, so a change the case is already past is left
// out and a later one may skip a step; the same change told twice is applied once (changeId).
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { Runtime } from '../../runtime';
import { MAX_ATTACHMENT_BYTES } from '../../referrals/attachments/attachment-files';
import { prepareReferralAttachment, recordReferralAttachment } from '../../referrals/attachments/save-attachment';
import { DomainError } from '../../errors';
import { PolicyError } from '../../policy/errors';
import { authorizePeerReferralChange } from '../../policy/federated-referral-access';
import { closeRevokedSockets, revokeReferralReads, type RevokedGrant } from '../../grants';
import { wakeJobRunners } from '../../jobs/job-signals';
import { findReferralRow } from '../../referrals/load-referral';
import { auditedReferral, recordReferralAudit, type ReferralAuditAction } from '../../referrals/referral-audit';
import { publishReferralChanged } from '../../referrals/referral-events';
import { notifyReferral, type ReferralNews } from '../../referrals/referral-notify';
import { OPEN_STATUSES, TRANSITIONS, type ReferralStatus } from '../../referrals/referral-states';
import { CLOSED_TO_FILES } from '../../referrals/add-attachment';
import { CLOSED_TO_MESSAGES } from '../../referrals/post-message';
import type { ReferralParties } from '../../policy/referral-access';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';
import { createReportFromPeer, fileReportObjects } from './report-back';
import { CHANGES_TOLD_BY, ZReferralChange, type ReferralChange } from './referral-words';

type Peer = { id: string; nodeId: string; name: string };
type ChangeContext = Pick<Runtime, 'db' | 'archive'> & Partial<Pick<Runtime, 'io' | 'logger' | 'config'>>;

/** What the peer may tell: ORIGIN = this node sent the case (the peer is the expert's side) */
const TOLD_BY = { ORIGIN: CHANGES_TOLD_BY.EXPERT, RECEIVER: CHANGES_TOLD_BY.REQUESTER } as const;

/**
 * A told change: the states it applies from, the state it leads to, and the news it makes. The
 * requesting side's moves and a claim are the local rules (referral-states.ts); the expert side's
 * others also apply from a state the case may still show here because a step before them is
 * still on its way (a start before its claim, a signature before its start).
 */
const TOLD: Record<Exclude<ReferralChange, 'message' | 'attachment'>, { from: readonly ReferralStatus[]; to: ReferralStatus; news?: ReferralNews }> = {
  claim: { from: TRANSITIONS.claim.from, to: TRANSITIONS.claim.to },
  start: { from: ['REQUESTED', 'ACCEPTED'], to: 'IN_PROGRESS' },
  ask: { from: ['REQUESTED', 'ACCEPTED', 'IN_PROGRESS'], to: 'ON_HOLD', news: 'question' },
  decline: { from: OPEN_STATUSES, to: 'DECLINED', news: 'declined' },
  forward: { from: TRANSITIONS.forward.from, to: TRANSITIONS.forward.to, news: 'new' },
  complete: { from: OPEN_STATUSES, to: 'COMPLETED', news: 'report' },
  cancel: { from: TRANSITIONS.cancel.from, to: TRANSITIONS.cancel.to },
  answer: { from: TRANSITIONS.answer.from, to: TRANSITIONS.answer.to, news: 'answer' },
  close: { from: TRANSITIONS.close.from, to: TRANSITIONS.close.to },
};

export async function receiveReferralChange(context: ChangeContext, peer: Peer, actor: NodeActor, originReferralId: string, body: unknown, sourceIp: string, now = new Date()): Promise<{ id: string; status: string; applied: boolean }> {
  const { db } = context;
  const parsed = ZReferralChange.safeParse(body);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', `change: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  const input = parsed.data;
  const { id, side } = await authorizePeerReferralChange(db, peer.id, originReferralId);
  if (!TOLD_BY[side].includes(input.change)) throw new PolicyError('FORBIDDEN', `the other node's side does not ${input.change} this case`);
  if (input.change === 'complete' && !input.report) throw new DomainError('BAD_REQUEST', 'complete: the signed report is missing');
  const mirror = await mirrorUser(db, peer, actor);
  const principal = { userId: mirror.userId, email: mirror.label, ip: sourceIp };
  const referral = (await findReferralRow(db, id))!;
  const marker = `"changeId":"${input.changeId}"`;
  const told = async () =>
    Boolean(await db.referralEvent.findFirst({ where: { referralId: id, details: { contains: marker } }, select: { id: true } })) ||
    Boolean(input.change === 'message' && (await db.referralMessage.findFirst({ where: { id: input.changeId, referralId: id }, select: { id: true } }))) ||
    Boolean(input.change === 'attachment' && (await db.referralAttachment.findFirst({ where: { id: input.changeId, referralId: id }, select: { id: true } })));
  if (await told()) return { id, status: referral.status, applied: false };
  if (input.change === 'attachment') return { id, status: referral.status, applied: await receiveAttachment(context, referral, input, mirror, principal) };
  // The report's objects are filed before the case's transaction (the archive is not in it; a retry files the same bytes again: duplicates)
  if (input.change === 'complete' && input.report && TOLD.complete.from.includes(referral.status as ReferralStatus)) await fileReportObjects(context.archive, input.report, referral.facilityId, referral.id);

  const before: ReferralParties = { ...referral };
  let after: ReferralParties = before;
  const revoked: RevokedGrant[] = [];
  const applied = await db.$transaction(async (tx) => {
    const audit = (action: string, details: Record<string, unknown>) => recordReferralAudit(tx, principal, auditedReferral(referral), `referral.${action}` as ReferralAuditAction, { ...details, peerName: peer.name });
    if (input.change === 'message') {
      if (CLOSED_TO_MESSAGES.includes(referral.status) || !input.body) return false;
      // Known by its id at the telling node (a message told twice is one)
      const message = await tx.referralMessage.create({ data: { id: input.changeId, referralId: id, authorId: mirror.userId, body: input.body, kind: 'NOTE', createdAt: input.at }, select: { id: true } });
      await audit('message', { messageId: message.id });
      return true;
    }
    const rule = TOLD[input.change as keyof typeof TOLD];
    if (!rule.from.includes(referral.status as ReferralStatus)) return false;
    const data: Record<string, unknown> = {};
    const revoke = async (reason: string) => revoked.push(...(await revokeReferralReads(tx, id, { revokedById: mirror.userId, reason }, [], now)));
    switch (input.change) {
      case 'claim':
      case 'start':
        data.ownerId = mirror.userId;
        break;
      case 'ask':
      case 'answer':
        if (input.change === 'ask') data.ownerId = mirror.userId;
        await tx.referralMessage.create({ data: { referralId: id, authorId: mirror.userId, body: input.body ?? '', kind: input.change === 'ask' ? 'QUESTION' : 'ANSWER', createdAt: input.at } });
        break;
      case 'decline':
        data.ownerId = null;
        await revoke('case declined');
        break;
      case 'forward': {
        // To another service of the expert's node as mirrored here; to a named expert there: the case stays addressed to its service
        const target = input.serviceId ? await tx.service.findFirst({ where: { remoteId: input.serviceId, facility: { nodePeerId: peer.id } }, select: { id: true, facilityId: true } }) : null;
        Object.assign(data, { ownerId: null, ...(target ? { targetServiceId: target.id, targetFacilityId: target.facilityId, targetUserId: null } : {}) });
        break;
      }
      case 'complete':
        data.ownerId = mirror.userId;
        data.completedAt = input.at;
        data.reportId = await createReportFromPeer(tx, referral, input.report!, mirror.userId);
        await revoke('case completed');
        break;
      case 'cancel':
        await revoke('case cancelled');
        break;
      case 'close':
        data.closedAt = input.at;
        break;
    }
    const moved = await tx.referral.updateMany({ where: { id, status: referral.status, revision: referral.revision }, data: { ...data, status: rule.to, revision: { increment: 1 } } });
    if (moved.count !== 1) throw new DomainError('CONFLICT', 'the case changed meanwhile: the change is told again');
    after = { ...referral, ...data, status: rule.to } as ReferralParties;
    await tx.referralEvent.create({
      data: { referralId: id, actorId: mirror.userId, action: input.change, fromStatus: referral.status, toStatus: rule.to, reason: input.reason, at: input.at, details: JSON.stringify({ changeId: input.changeId, node: peer.name, ...(data.reportId ? { reportId: data.reportId } : {}) }) },
    });
    await audit(input.change, { from: referral.status, to: rule.to, ...(input.reason ? { reason: input.reason } : {}), ...(data.reportId ? { reportId: String(data.reportId) } : {}) });
    if (rule.news) await notifyReferral(context, tx, { ...(after as ReferralParties), facilityId: referral.facilityId, id, targetFacilityId: (data.targetFacilityId as string | undefined) ?? referral.targetFacilityId }, rule.news, `${id}:${referral.revision + 1}`);
    return true;
  });
  if (!applied) return { id, status: (await db.referral.findUniqueOrThrow({ where: { id }, select: { status: true } })).status, applied };
  wakeJobRunners();
  await closeRevokedSockets({ db, io: context.io }, revoked);
  await publishReferralChanged(context, { referralId: id, status: after.status, priority: referral.priority, change: input.change }, [before, after]);
  return { id, status: after.status, applied };
}

/** A file of the case or of one of its messages, told by the other node: kept under its id there, checked as a local upload is; filed into the archive by its own node only. */
async function receiveAttachment(context: ChangeContext, referral: NonNullable<Awaited<ReturnType<typeof findReferralRow>>>, input: z.output<typeof ZReferralChange>, mirror: { userId: string }, principal: { userId: string; email: string; ip: string }): Promise<boolean> {
  const file = input.attachment;
  if (!file) throw new DomainError('BAD_REQUEST', 'attachment: the file is missing');
  if (CLOSED_TO_FILES.includes(referral.status)) return false;
  const bytes = Buffer.from(file.data, 'base64');
  if (createHash('sha256').update(bytes).digest('hex') !== file.sha256) throw new DomainError('BAD_REQUEST', 'attachment: its bytes are not those of its SHA-256');
  if (bytes.length > MAX_ATTACHMENT_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', 'attachment: larger than 20 MB');
  // Its message is told by another job: until it is here, the file waits (the call is retried)
  if (file.messageId && !(await context.db.referralMessage.findFirst({ where: { id: file.messageId, referralId: referral.id }, select: { id: true } }))) {
    throw new DomainError('CONFLICT', 'attachment: its message is not here yet');
  }
  const prepared = await prepareReferralAttachment(context, { id: input.changeId, referralId: referral.id, messageId: file.messageId, uploadedById: mirror.userId, fileName: file.fileName, bytes });
  await context.db.$transaction(async (tx) => {
    const recorded = await recordReferralAttachment(tx, prepared, { archive: false });
    await recordReferralAudit(tx, principal, auditedReferral(referral), 'referral.attachment', { attachmentId: recorded.id, fileName: recorded.fileName, contentType: recorded.contentType, size: recorded.size });
  });
  await publishReferralChanged(context, { referralId: referral.id, status: referral.status, priority: referral.priority, change: 'attachment' }, [referral]);
  return true;
}
