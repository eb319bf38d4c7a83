// The images of a notice forwarded to a paired node (issue 19), queued once the notice is
// there (forward-notice-job.ts): one OUT FederatedTransfer per study of the notice, priority
// 10 (emergency: its job is claimed before routine ones, lib/jobs/claim-jobs.ts), source
// 'transfer-notice'. The grant to the destination's mirrored facility rests on the notice's
// vital-interest basis (its EmergencyOverride, reason TRANSFER_NOTICE): no consent is asked
// in an emergency, and the grant ends with the basis (the arrival or the ETA plus the service's
// hours, or a cancel). Idempotent: a study already queued for this notice is left alone; a
// notice whose basis has ended (cancelled) queues nothing.
import { recordAudit } from '../../audit/record-audit';
import { grantStudyRead } from '../../grants/grant-study-read';
import { enqueueJob, JOB_PRIORITY } from '../../jobs/enqueue-job';
import type { Database } from '../../../prisma/database';
import { NOTICE_TRANSFER_SOURCE } from './notice-words';

export const EMERGENCY_TRANSFER_PRIORITY = 10;

interface NoticeForImages {
  id: string;
  senderId: string;
  overrideId: string | null;
  patientId: string;
}

/** Returns how many transfers were queued now. */
export async function queueNoticeImages(db: Database, notice: NoticeForImages, target: { peerId: string; peerNodeId: string; peerName: string; facilityId: string; facilityName: string }, now = new Date()): Promise<number> {
  if (!notice.overrideId) return 0;
  const override = await db.emergencyOverride.findUnique({ where: { id: notice.overrideId }, select: { endedAt: true, endsAt: true } });
  if (!override || override.endedAt || override.endsAt <= now) return 0;
  const sender = await db.user.findUnique({ where: { id: notice.senderId }, select: { id: true, email: true } });
  const studies = await db.transferStudy.findMany({ where: { noticeId: notice.id, studyRef: { not: null } }, select: { studyRef: true, studyFacilityId: true, studyInstanceUid: true } });
  let queued = 0;
  for (const study of studies) {
    const already = await db.federatedTransfer.findFirst({ where: { direction: 'OUT', sourceType: NOTICE_TRANSFER_SOURCE, sourceId: notice.id, studyRef: study.studyRef }, select: { id: true } });
    if (already) continue;
    const copy = await db.study.findUnique({ where: { id: study.studyRef! }, select: { id: true, facilityId: true, studyInstanceUid: true } });
    const total = copy ? await db.instance.count({ where: { series: { studyRef: copy.id } } }) : 0;
    if (!copy || !total) continue;
    await db.$transaction(async (tx) => {
      const row = await tx.federatedTransfer.create({
        data: {
          direction: 'OUT', peerId: target.peerId, transferId: crypto.randomUUID(), studyInstanceUid: copy.studyInstanceUid, seriesUids: '[]', localFacilityId: copy.facilityId, studyRef: copy.id,
          remoteFacilityId: target.facilityId, requestedById: notice.senderId, requestedByName: sender?.email ?? '', priority: EMERGENCY_TRANSFER_PRIORITY, total,
          sourceType: NOTICE_TRANSFER_SOURCE, sourceId: notice.id,
        },
        select: { id: true },
      });
      const grant = await grantStudyRead(tx, { grantee: { facilityId: target.facilityId }, study: copy, purpose: 'FEDERATION', overrideId: notice.overrideId, grantedById: notice.senderId, source: { type: 'federation', id: row.id } }, now);
      const basis = await tx.accessGrant.findUniqueOrThrow({ where: { id: grant.id }, select: { legalBasis: true, consentId: true } });
      await tx.federatedTransfer.update({ where: { id: row.id }, data: { grantId: grant.id } });
      await recordAudit(tx, {
        actor: sender?.email ?? 'system', actorUserId: sender?.id ?? null, outcome: 'SUCCESS', action: 'federation.send', facilityId: copy.facilityId, patientId: notice.patientId || null, studyUid: copy.studyInstanceUid,
        resource: `federated-transfer:${row.id}`,
        details: { transferId: row.id, peerNodeId: target.peerNodeId, peerName: target.peerName, facility: target.facilityName, total, state: 'QUEUED', legalBasis: basis.legalBasis ?? undefined, consentId: basis.consentId },
      });
      await enqueueJob(tx, { type: 'federation.send-study', key: row.id, payload: { transferId: row.id }, facilityId: copy.facilityId, maxAttempts: 30, priority: JOB_PRIORITY.EMERGENCY_IMAGES });
    });
    queued += 1;
  }
  return queued;
}
