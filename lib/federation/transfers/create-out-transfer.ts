// The one path by which a study leaves for a paired node, whoever started it: a clinician's
// send (send-study.ts), a paired node's retrieval from the federated patient history
// (lib/federation/history/retrieve-for-peer.ts), or an emergency notice's images
// (lib/federation/notices/queue-notice-images.ts, on the notice's vital-interest basis). In one transaction: the OUT transfer row,
// the read grant to the destination's mirrored facility — which asks lib/policy/share-basis.ts
// for the legal basis, so an unconsented share is refused here, before anything leaves
// (409 CONSENT_REQUIRED, nothing written) — the audit row (federation.send, the study's
// facility) and the durable job that sends (federation.send-study).
import { recordAudit } from '../../audit/record-audit';
import { grantStudyRead } from '../../grants/grant-study-read';
import type { GrantPurpose } from '../../grants/purposes';
import { EMERGENCY_MAX_ATTEMPTS, enqueueJob, JOB_PRIORITY } from '../../jobs/enqueue-job';
import { wakeJobRunners } from '../../jobs/job-signals';
import type { Database } from '../../../prisma/database';

/** A transfer of at least this priority is an emergency's (a notice's images): its job is claimed first, routine transfers pause for it */
export const EMERGENCY_TRANSFER_PRIORITY = 10;

export interface OutTransferInput {
  /** Who asked: a local user, or the mirrored user of a paired node's person */
  requestedBy: { userId: string; label: string; ip: string; remoteUser?: string };
  study: { id: string; facilityId: string; studyInstanceUid: string; patientId: string | null };
  /** The destination: a mirrored facility of the peer */
  target: { id: string; name: string };
  peer: { id: string; nodeId: string; name: string };
  seriesUids: string[];
  total: number;
  priority: number;
  source?: { type: string; id: string };
  /** The emergency override the share rests on (a notice's vital-interest basis); otherwise consent decides */
  overrideId?: string | null;
  /** What the share is for, the consent purpose asked: a transfer (default), or a second-opinion case's studies (REFERRAL: the patient's permit for a second opinion there covers them) */
  purpose?: Extract<GrantPurpose, 'FEDERATION' | 'REFERRAL'>;
}

/** Creates the transfer (or throws ConsentRequiredError, nothing written) and wakes the job runner; its id. */
export async function createOutTransfer(db: Database, input: OutTransferInput, now = new Date()): Promise<string> {
  const { requestedBy, study, target, peer } = input;
  const transferId = await db.$transaction(async (tx) => {
    const row = await tx.federatedTransfer.create({
      data: {
        direction: 'OUT',
        peerId: peer.id,
        transferId: crypto.randomUUID(),
        studyInstanceUid: study.studyInstanceUid,
        seriesUids: JSON.stringify(input.seriesUids),
        localFacilityId: study.facilityId,
        studyRef: study.id,
        remoteFacilityId: target.id,
        requestedById: requestedBy.userId,
        requestedByName: requestedBy.label,
        priority: input.priority,
        total: input.total,
        sourceType: input.source?.type ?? null,
        sourceId: input.source?.id ?? null,
      },
      select: { id: true },
    });
    // The legal basis, or CONSENT_REQUIRED and nothing written (the refusal is audited for the study's facility)
    const grant = await grantStudyRead(tx, { grantee: { facilityId: target.id }, study, purpose: input.purpose ?? 'FEDERATION', overrideId: input.overrideId ?? null, grantedById: requestedBy.userId, source: { type: 'federation', id: row.id } }, now);
    const basis = await tx.accessGrant.findUniqueOrThrow({ where: { id: grant.id }, select: { legalBasis: true, consentId: true } });
    await tx.federatedTransfer.update({ where: { id: row.id }, data: { grantId: grant.id } });
    await recordAudit(tx, {
      actor: requestedBy.label,
      actorUserId: requestedBy.userId,
      sourceIp: requestedBy.ip,
      outcome: 'SUCCESS',
      action: 'federation.send',
      facilityId: study.facilityId,
      patientId: study.patientId || null,
      studyUid: study.studyInstanceUid,
      resource: `federated-transfer:${row.id}`,
      details: {
        transferId: row.id, peerNodeId: peer.nodeId, peerName: peer.name, facility: target.name, total: input.total, state: 'QUEUED',
        legalBasis: basis.legalBasis ?? undefined, consentId: basis.consentId, ...(requestedBy.remoteUser ? { remoteUser: requestedBy.remoteUser } : {}),
      },
    });
    await enqueueJob(tx, { type: 'federation.send-study', key: row.id, payload: { transferId: row.id }, facilityId: study.facilityId, ...(input.priority >= EMERGENCY_TRANSFER_PRIORITY ? { maxAttempts: EMERGENCY_MAX_ATTEMPTS, priority: JOB_PRIORITY.EMERGENCY_IMAGES } : { maxAttempts: 30, priority: JOB_PRIORITY.ROUTINE }) });
    return row.id;
  });
  wakeJobRunners();
  return transferId;
}
