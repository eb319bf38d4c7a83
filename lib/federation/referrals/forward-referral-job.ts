// federation.forward-referral (issue 19): a second-opinion case addressed to a service of a
// paired node is made here as any case (the requester follows it on this node: status,
// thread, the report when signed), and this job, enqueued in the transaction that sends it
// (sent, or redirected there after a decline), delivers it by a signed call (POST
// /federation/v1/referrals, act = the requester) to that node, where it lands in the
// service's inbox at once. Then its studies follow through the one transfer path
// (create-out-transfer.ts: the grant to the node's mirrored facility asks share-basis, the
// case's own basis — consent, or the emergency override the requester used). Retried with
// backoff while the node is down; idempotent at both ends (the expert's node knows the case
// by this node's id; a study already sent for the case is not sent again).
import { enqueueJob } from '../../jobs/enqueue-job';
import { defineJob, type JobContext, type JobDefinition } from '../../jobs/registry';
import { runWaitingJobsNow, wakeJobRunners } from '../../jobs/job-signals';
import { referralPeerOf } from '../../policy/federated-referral-access';
import { publishReferralChanged } from '../../referrals/referral-events';
import type { ReferralTx } from '../../referrals/address-referral';
import { findReferralRow } from '../../referrals/load-referral';
import { OPEN_STATUSES, type ReferralStatus } from '../../referrals/referral-states';
import { createOutTransfer } from '../transfers/create-out-transfer';
import { federationSelf } from '../federation-self';
import { callPeerJson } from '../node-client';
import { noticeActor, type NoticeJobOptions } from '../notices/forward-notice-job';
import { REFERRAL_TRANSFER_SOURCE, type ForwardedReferral } from './referral-words';

export interface ForwardReferralPayload {
  referralId: string;
  revision: number;
}

/** In the transaction that addresses a case (its revision after the change): queues its delivery when the addressee is of a paired node. */
export async function queueReferralForward(tx: ReferralTx, referral: { id: string; facilityId: string; targetServiceId: string | null; revision: number }): Promise<boolean> {
  if (!(await referralPeerOf(tx, referral))) return false;
  await enqueueJob(tx, { type: 'federation.forward-referral', key: `${referral.id}:${referral.revision}`, payload: { referralId: referral.id, revision: referral.revision }, facilityId: referral.facilityId, maxAttempts: 30 });
  return true;
}

export function createForwardReferralJob(options: NoticeJobOptions): JobDefinition<'federation.forward-referral'> {
  return defineJob('federation.forward-referral', async (payload, context) => forwardReferral(options, payload, context));
}

async function forwardReferral(options: NoticeJobOptions, payload: ForwardReferralPayload, context: JobContext): Promise<void> {
  const { db, logger } = context;
  const referral = await findReferralRow(db, payload.referralId);
  // Gone, received from another node, or moved on since (cancelled, redirected elsewhere): nothing to deliver
  if (!referral || referral.revision < payload.revision) return;
  const target = await referralPeerOf(db, referral);
  if (!target || target.peer.status === 'UNPAIRED' || !OPEN_STATUSES.includes(referral.status as ReferralStatus)) return;
  if (target.peer.status !== 'ACTIVE') throw new Error(`the pairing with ${target.peer.name} is suspended: the case waits`);
  const { identity } = federationSelf(options.config, options.shared);
  const actor = await noticeActor(db, referral.requesterId, referral.facilityId);
  const body: ForwardedReferral = {
    referralId: referral.id,
    serviceId: target.remoteServiceId,
    patient: { patientId: referral.patientId, name: referral.patientName },
    priority: referral.priority as ForwardedReferral['priority'],
    question: referral.question,
    history: referral.history,
    requestedAt: (referral.requestedAt ?? referral.createdAt).toISOString(),
    studies: referral.studies.map((study) => ({ studyInstanceUid: study.studyInstanceUid, primary: study.primary })),
  };
  const answer = await callPeerJson<{ id: string }>(identity, target.peer, { method: 'POST', path: '/referrals', actor, json: body, timeoutMs: 15_000, idempotent: true });
  const delivered = await db.$transaction(async (tx) => {
    const marker = `"forwardRevision":${payload.revision}`;
    if (await tx.referralEvent.findFirst({ where: { referralId: referral.id, action: 'deliver', details: { contains: marker } }, select: { id: true } })) return false;
    await tx.referralEvent.create({ data: { referralId: referral.id, actorId: null, action: 'deliver', fromStatus: referral.status, toStatus: referral.status, at: new Date(), details: JSON.stringify({ node: target.peer.name, remoteReferralId: String(answer.id).slice(0, 64), forwardRevision: payload.revision }) } });
    return true;
  });
  logger.info('second-opinion case delivered to a paired node', { referralId: referral.id, peer: target.peer.name });
  // Changes made meanwhile (a letter attached right after Send, a cancel) waited for the delivery: now
  await runWaitingJobsNow(db, 'federation.referral-change', `${referral.id}:`);
  if (delivered) await publishReferralChanged(context, { referralId: referral.id, status: referral.status, priority: referral.priority, change: 'deliver' }, [referral]);
  await queueReferralStudies(context, referral, target);
  wakeJobRunners();
}

/** One OUT transfer per study of the case not sent for it yet. */
async function queueReferralStudies(context: JobContext, referral: NonNullable<Awaited<ReturnType<typeof findReferralRow>>>, target: NonNullable<Awaited<ReturnType<typeof referralPeerOf>>>): Promise<void> {
  const { db } = context;
  const facility = await db.facility.findFirst({ where: { nodePeerId: target.peer.id, remoteId: target.remoteFacilityId }, select: { id: true, name: true } });
  if (!facility) return;
  const requester = await db.user.findUnique({ where: { id: referral.requesterId }, select: { email: true } });
  for (const study of referral.studies) {
    if (!study.studyRef) continue;
    const already = await db.federatedTransfer.findFirst({ where: { direction: 'OUT', sourceType: REFERRAL_TRANSFER_SOURCE, sourceId: referral.id, studyRef: study.studyRef, remoteFacilityId: facility.id }, select: { id: true } });
    if (already) continue;
    const total = await db.instance.count({ where: { series: { studyRef: study.studyRef } } });
    if (!total) continue;
    await createOutTransfer(db, {
      requestedBy: { userId: referral.requesterId, label: requester?.email ?? 'system', ip: '' },
      study: { id: study.studyRef, facilityId: study.studyFacilityId, studyInstanceUid: study.studyInstanceUid, patientId: referral.patientId },
      target: facility,
      peer: { id: target.peer.id, nodeId: target.peer.nodeId, name: target.peer.name },
      seriesUids: [],
      total,
      priority: 0,
      source: { type: REFERRAL_TRANSFER_SOURCE, id: referral.id },
      overrideId: referral.overrideId,
      // The case's own basis: the permit for a second opinion there covers its studies' journey
      purpose: 'REFERRAL',
    });
  }
}
