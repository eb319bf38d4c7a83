// The images of a notice forwarded to a paired node (issue 19), queued once the notice is
// there (forward-notice-job.ts): one OUT FederatedTransfer per study of the notice, priority
// 10 (emergency: its job is claimed before routine ones, lib/jobs/claim-jobs.ts), source
// 'transfer-notice'. The grant to the destination's mirrored facility rests on the notice's
// vital-interest basis (its EmergencyOverride, reason TRANSFER_NOTICE): no consent is asked
// in an emergency, and the grant ends with the basis (the arrival or the ETA plus the service's
// hours, or a cancel). Idempotent: a study already queued for this notice is left alone; a
// notice whose basis has ended (cancelled) queues nothing.
import type { Database } from '../../../prisma/database';
import { EMERGENCY_TRANSFER_PRIORITY, createOutTransfer } from '../transfers/create-out-transfer';
import { NOTICE_TRANSFER_SOURCE } from './notice-words';

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
  const studies = await db.transferStudy.findMany({ where: { noticeId: notice.id, studyRef: { not: null } }, select: { studyRef: true } });
  let queued = 0;
  for (const study of studies) {
    const already = await db.federatedTransfer.findFirst({ where: { direction: 'OUT', sourceType: NOTICE_TRANSFER_SOURCE, sourceId: notice.id, studyRef: study.studyRef }, select: { id: true } });
    if (already) continue;
    const copy = await db.study.findUnique({ where: { id: study.studyRef! }, select: { id: true, facilityId: true, studyInstanceUid: true } });
    const total = copy ? await db.instance.count({ where: { series: { studyRef: copy.id } } }) : 0;
    if (!copy || !total) continue;
    await createOutTransfer(
      db,
      {
        requestedBy: { userId: notice.senderId, label: sender?.email ?? 'system', ip: '' },
        study: { ...copy, patientId: notice.patientId },
        target: { id: target.facilityId, name: target.facilityName },
        peer: { id: target.peerId, nodeId: target.peerNodeId, name: target.peerName },
        seriesUids: [],
        total,
        priority: EMERGENCY_TRANSFER_PRIORITY,
        source: { type: NOTICE_TRANSFER_SOURCE, id: notice.id },
        overrideId: notice.overrideId,
      },
      now,
    );
    queued += 1;
  }
  return queued;
}
