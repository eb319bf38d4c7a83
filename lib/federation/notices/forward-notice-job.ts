// federation.forward-notice (issue 19): a notice addressed to a service of a paired node is
// made here as any notice (the sender follows it on this node: status, timeline) and this
// job, enqueued in the Send's transaction with the highest job priority, delivers it by a
// signed call (POST /federation/v1/notices, act = the sending clinician) to that node, which
// rings its service at once. Then, and only then, the images follow (queue-notice-images.ts,
// priority 10): the alarm never waits for images. Retried with backoff while the node is
// down (the sender's page shows why it waits); idempotent at both ends (the receiving node
// knows the notice by this node's id; the 'forward' event is recorded once).
import { createHash } from 'node:crypto';
import { EMERGENCY_MAX_ATTEMPTS, enqueueJob, JOB_PRIORITY } from '../../jobs/enqueue-job';
import { defineJob, type JobContext, type JobDefinition } from '../../jobs/registry';
import type { TransferTx } from '../../transfers/transfer-types';
import { runWaitingJobsNow, wakeJobRunners } from '../../jobs/job-signals';
import { noticePeerOfService } from '../../policy/federated-notice-access';
import { publishTransferChanged } from '../../transfers/transfer-events';
import { federationSelf, type FederationConfig } from '../federation-self';
import { callPeerJson } from '../node-client';
import type { NodeActor } from '../signed-request';
import type { ForwardedNotice } from './notice-words';
import { queueNoticeImages } from './queue-notice-images';

export interface ForwardNoticePayload {
  noticeId: string;
}

export interface NoticeJobOptions {
  config: FederationConfig;
  shared: Map<string, unknown>;
}

/** The person a notice's call acts for: a user of this node, with the facility they act for. */
export async function noticeActor(db: JobContext['db'], userId: string, facilityId: string): Promise<NodeActor> {
  const [user, facility] = await Promise.all([
    db.user.findUnique({ where: { id: userId }, select: { id: true, name: true, email: true } }),
    db.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { id: true, name: true, code: true } }),
  ]);
  return { id: user?.id ?? 'system', name: user?.name || user?.email || 'Telepacs', email: user?.email ?? '', facility };
}

/**
 * In the transaction that sends a notice (key: the notice) or adds studies to it (key: the
 * notice and those studies): queues its delivery to the paired node of its service, which
 * then sends the studies not sent yet. Nothing for a notice of this node's services, or one
 * received from another node.
 */
export async function queueNoticeForward(tx: TransferTx, noticeId: string, studyInstanceUids: readonly string[] = []): Promise<boolean> {
  const notice = await tx.transferNotice.findUnique({ where: { id: noticeId }, select: { peerId: true, sendingFacilityId: true, targetServiceId: true } });
  if (!notice || notice.peerId) return false;
  const service = await tx.service.findUnique({ where: { id: notice.targetServiceId }, select: { remoteId: true } });
  if (!service?.remoteId) return false;
  const key = studyInstanceUids.length ? `${noticeId}:studies:${createHash('sha256').update([...studyInstanceUids].sort().join(',')).digest('hex').slice(0, 16)}` : noticeId;
  await enqueueJob(tx, { type: 'federation.forward-notice', key, payload: { noticeId }, facilityId: notice.sendingFacilityId, maxAttempts: EMERGENCY_MAX_ATTEMPTS, priority: JOB_PRIORITY.EMERGENCY_NOTICE });
  return true;
}

export function createForwardNoticeJob(options: NoticeJobOptions): JobDefinition<'federation.forward-notice'> {
  return defineJob('federation.forward-notice', async (payload, context) => forwardNotice(options, payload, context));
}

async function forwardNotice(options: NoticeJobOptions, payload: ForwardNoticePayload, context: JobContext): Promise<void> {
  const { db, logger } = context;
  const notice = await db.transferNotice.findUnique({ where: { id: payload.noticeId }, include: { studies: { select: { studyInstanceUid: true } } } });
  if (!notice || notice.peerId) return;
  const target = await noticePeerOfService(db, notice.targetServiceId);
  if (!target || target.peer.status === 'UNPAIRED') {
    logger.warn('transfer notice not forwarded: its service is no longer of a paired node', { noticeId: notice.id });
    return;
  }
  const forwarded = await db.transferEvent.findFirst({ where: { noticeId: notice.id, action: 'forward' }, select: { id: true } });
  if (!forwarded && notice.status === 'CANCELLED') return;
  if (target.peer.status !== 'ACTIVE') throw new Error(`the pairing with ${target.peer.name} is suspended: the notice waits`);
  const { identity } = federationSelf(options.config, options.shared);
  const actor = await noticeActor(db, notice.senderId, notice.sendingFacilityId);
  if (!forwarded) {
    const body: ForwardedNotice = {
      noticeId: notice.id,
      serviceId: target.remoteServiceId,
      patient: { patientId: notice.patientId, name: notice.patientName, unidentified: notice.unidentified },
      condition: notice.condition as ForwardedNotice['condition'],
      suspectedDiagnosis: notice.suspectedDiagnosis,
      findings: notice.findings,
      vitals: JSON.parse(notice.vitals) as Record<string, number | string>,
      onsetAt: notice.onsetAt?.toISOString() ?? null,
      onsetIsLastKnownWell: notice.onsetIsLastKnownWell,
      transportMode: notice.transportMode as ForwardedNotice['transportMode'],
      etaAt: notice.etaAt.toISOString(),
      sentAt: notice.sentAt.toISOString(),
      callbackPhone: notice.callbackPhone,
      studies: notice.studies.map((study) => study.studyInstanceUid),
    };
    const answer = await callPeerJson<{ id: string }>(identity, target.peer, { method: 'POST', path: '/notices', actor, json: body, timeoutMs: 15_000, idempotent: true });
    await db.$transaction(async (tx) => {
      if (await tx.transferEvent.findFirst({ where: { noticeId: notice.id, action: 'forward' }, select: { id: true } })) return;
      await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: null, action: 'forward', at: new Date(), details: JSON.stringify({ node: target.peer.name, remoteNoticeId: String(answer.id).slice(0, 64) }) } });
    });
    logger.info('transfer notice delivered to a paired node', { noticeId: notice.id, peer: target.peer.name });
    // Changes made meanwhile (a cancel, an ETA, an Ask) waited for the delivery: now
    await runWaitingJobsNow(db, 'federation.notice-change', `${notice.id}:`);
    await publishTransferChanged(context, notice, 'forward');
  }
  const facility = await db.facility.findFirst({ where: { nodePeerId: target.peer.id, remoteId: target.remoteFacilityId }, select: { id: true, name: true } });
  if (!facility) return;
  const queued = await queueNoticeImages(db, notice, { peerId: target.peer.id, peerNodeId: target.peer.nodeId, peerName: target.peer.name, facilityId: facility.id, facilityName: facility.name });
  if (queued) wakeJobRunners();
}
