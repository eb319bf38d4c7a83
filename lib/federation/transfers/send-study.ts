// A clinician sends a study (or some of its series) of their facility to a facility of a
// paired node. In one transaction: the transfer row, the read grant to the destination's
// mirrored facility — which asks lib/policy/share-basis.ts for the legal basis, so an
// unconsented share is refused here, before anything leaves (409 CONSENT_REQUIRED) — the
// audit row (federation.send, the study's facility) and the durable job that sends
// (federation.send-study). The grant also lets the destination's people read the study here.
import { z } from 'zod';
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { grantStudyRead } from '../../grants/grant-study-read';
import { enqueueJob, JOB_PRIORITY } from '../../jobs/enqueue-job';
import { wakeJobRunners } from '../../jobs/job-signals';
import { authorizeStudySend } from '../../policy/federation-access';
import type { Principal } from '../../policy/principal';
import type { Database } from '../../../prisma/database';
import { transferView, type TransferView } from './transfer-view';

export interface FederationActor extends Principal {
  actingFacilityId: string | null;
}

const UID = z.string().trim().regex(/^[0-9.]{1,64}$/, 'Expected a DICOM UID');

export const ZSendStudy = z
  .object({
    facilityId: z.string({ error: 'Choose the facility to send to.' }).trim().min(1, 'Choose the facility to send to.'),
    seriesUids: z.array(UID).max(500).optional(),
    /** 10: before any routine transfer (an emergency) */
    priority: z.union([z.literal(0), z.literal(10)]).optional(),
  })
  .strict();

export async function sendStudyToNode(context: { db: Database }, actor: FederationActor, studyInstanceUid: string, input: unknown, source?: { type: string; id: string }): Promise<TransferView> {
  const { db } = context;
  const facilityId = await authorizeStudySend(db, actor.userId, actor.actingFacilityId);
  const request = parseInput(ZSendStudy, input);
  const study = await db.study.findFirst({ where: { studyInstanceUid: studyInstanceUid.slice(0, 64), facilityId }, select: { id: true, facilityId: true, studyInstanceUid: true, patient: { select: { patientId: true } } } });
  if (!study) throw new DomainError('NOT_FOUND', `study ${studyInstanceUid} not in facility ${facilityId}`, { userMessage: 'Not found.' });
  const target = await db.facility.findFirst({ where: { id: request.facilityId, nodePeerId: { not: null }, disabledAt: null }, select: { id: true, name: true, nodePeerId: true } });
  if (!target?.nodePeerId) throw new DomainError('INVALID_INPUT', `no facility ${request.facilityId} of a paired node`, { userMessage: 'Some fields need attention.', fields: { facilityId: 'Choose a facility of a paired node.' } });
  const peer = await db.nodePeer.findUniqueOrThrow({ where: { id: target.nodePeerId }, select: { id: true, nodeId: true, name: true, status: true } });
  if (peer.status !== 'ACTIVE') throw new DomainError('CONFLICT', `peer ${peer.name} is ${peer.status}`, { userMessage: `The pairing with ${peer.name} is ${peer.status === 'SUSPENDED' ? 'suspended' : 'ended'}: nothing can be sent there now.` });

  const seriesUids = [...new Set(request.seriesUids ?? [])];
  const series = await db.series.findMany({ where: { studyRef: study.id, ...(seriesUids.length ? { seriesInstanceUid: { in: seriesUids } } : {}) }, select: { id: true, seriesInstanceUid: true } });
  const unknown = seriesUids.filter((uid) => !series.some((row) => row.seriesInstanceUid === uid));
  if (unknown.length) throw new DomainError('INVALID_INPUT', `series not in the study: ${unknown.join(', ')}`, { userMessage: 'Some fields need attention.', fields: { seriesUids: `Not series of this study: ${unknown.join(', ')}` } });
  const total = await db.instance.count({ where: { seriesRef: { in: series.map((row) => row.id) } } });
  if (!total) throw new DomainError('CONFLICT', 'nothing to send', { userMessage: 'This study has no images to send.' });

  const transferId = await db.$transaction(async (tx) => {
    const row = await tx.federatedTransfer.create({
      data: {
        direction: 'OUT',
        peerId: peer.id,
        transferId: crypto.randomUUID(),
        studyInstanceUid: study.studyInstanceUid,
        seriesUids: JSON.stringify(seriesUids),
        localFacilityId: facilityId,
        studyRef: study.id,
        remoteFacilityId: target.id,
        requestedById: actor.userId,
        requestedByName: actor.email,
        priority: request.priority ?? 0,
        total,
        sourceType: source?.type ?? null,
        sourceId: source?.id ?? null,
      },
      select: { id: true },
    });
    // The legal basis, or CONSENT_REQUIRED and nothing written (the refusal is audited for the study's facility)
    const grant = await grantStudyRead(tx, { grantee: { facilityId: target.id }, study, purpose: 'FEDERATION', grantedById: actor.userId, source: { type: 'federation', id: row.id } });
    const basis = await tx.accessGrant.findUniqueOrThrow({ where: { id: grant.id }, select: { legalBasis: true, consentId: true } });
    await tx.federatedTransfer.update({ where: { id: row.id }, data: { grantId: grant.id } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      sourceIp: actor.ip,
      outcome: 'SUCCESS',
      action: 'federation.send',
      facilityId,
      patientId: study.patient.patientId,
      studyUid: study.studyInstanceUid,
      resource: `federated-transfer:${row.id}`,
      details: { transferId: row.id, peerNodeId: peer.nodeId, peerName: peer.name, facility: target.name, total, state: 'QUEUED', legalBasis: basis.legalBasis ?? undefined, consentId: basis.consentId },
    });
    await enqueueJob(tx, { type: 'federation.send-study', key: row.id, payload: { transferId: row.id }, facilityId, maxAttempts: 30, priority: request.priority === 10 ? JOB_PRIORITY.EMERGENCY_IMAGES : JOB_PRIORITY.ROUTINE });
    return row.id;
  });
  wakeJobRunners();
  return transferView(db, transferId);
}
