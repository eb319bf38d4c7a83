// A clinician sends a study (or some of its series) of their facility to a facility of a
// paired node: who may (lib/policy/federation-access.ts), what (the study, its series), where
// (a mirrored facility of an ACTIVE peer); then create-out-transfer.ts, the one path of every
// send: the transfer row, the read grant on the legal basis lib/policy/share-basis.ts finds
// (409 CONSENT_REQUIRED, nothing leaves), the audit row and the durable job (federation.send-study).
// The grant also lets the destination's people read the study here.
import { z } from 'zod';
import { parseInput } from '../../admin/errors';
import { recordRefusedAttempt, type RefusalContext } from '../../audit/record-refused-attempt';
import { DomainError } from '../../errors';
import { authorizeStudySend } from '../../policy/federation-access';
import type { Principal } from '../../policy/principal';
import type { Database } from '../../../prisma/database';
import { EMERGENCY_TRANSFER_PRIORITY, createOutTransfer } from './create-out-transfer';
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
    priority: z.union([z.literal(0), z.literal(EMERGENCY_TRANSFER_PRIORITY)]).optional(),
  })
  .strict();

export async function sendStudyToNode(context: RefusalContext, actor: FederationActor, studyInstanceUid: string, input: unknown, source?: { type: string; id: string }): Promise<TransferView> {
  const db = context.db as Database;
  const facilityId = await authorizeStudySend(db, actor.userId, actor.actingFacilityId);
  const request = parseInput(ZSendStudy, input);
  const study = await db.study.findFirst({ where: { studyInstanceUid: studyInstanceUid.slice(0, 64), facilityId }, select: { id: true, facilityId: true, studyInstanceUid: true, patient: { select: { patientId: true } } } });
  if (!study) {
    // Another facility's study (or none): refused as NOT_FOUND, and recorded for its owners
    await recordRefusedAttempt(context, { actor: actor.email, actorUserId: actor.userId, sourceIp: actor.ip, action: 'federation.send', target: { kind: 'study', studyInstanceUid: studyInstanceUid.slice(0, 64) } });
    throw new DomainError('NOT_FOUND', `study ${studyInstanceUid} not in facility ${facilityId}`, { userMessage: 'Not found.' });
  }
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

  const transferId = await createOutTransfer(db, {
    requestedBy: { userId: actor.userId, label: actor.email, ip: actor.ip },
    study: { id: study.id, facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid, patientId: study.patient.patientId },
    target,
    peer,
    seriesUids,
    total,
    priority: request.priority ?? 0,
    source,
  });
  return transferView(db, transferId);
}
