// A clinician of the sending facility pre-notifies a receiving service of an emergency
// transfer (issue 17): the patient (an existing record, the record of the studies, or an
// unidentified patient under a temporary ID), the condition, findings, vitals, onset, the
// transport and ETA, a call-back number, and the studies to send. On Send, in one
// transaction: the notice, its studies, its timeline's first events, the vital-interest
// basis and the service's grants on the studies (transfer-access-grants.ts), the audit rows
// and the escalation job; after the commit the service's members' pages ring at once
// (transfer:alarm) and the sender's page follows (transfer:changed).
// A double-tapped Send (the same clientKey) makes one notice and answers it twice.
// A service of a paired node (issue 19): instead of ringing here, the Send's transaction
// queues its delivery to that node (lib/federation/notices/forward-notice-job.ts), which
// rings there; the sender follows it here as any notice.
import { randomBytes } from 'node:crypto';
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { queueNoticeForward } from '../federation/notices/forward-notice-job';
import { wakeJobRunners } from '../jobs/job-signals';
import { authorizeNoticeForward, noticePeerOfService } from '../policy/federated-notice-access';
import { authorizeTransferSending } from '../policy/transfer-access';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { personRecordRefs } from '../policy/share-basis';
import { Prisma } from '../../prisma/database';
import { scheduleTransferEscalation } from './escalate-transfer-job';
import { accessEndFor, grantTransferStudies, type StudyCopy } from './transfer-access-grants';
import { recordTransferAudit } from './transfer-audit';
import { publishTransferChanged, ringTransferAlarm } from './transfer-events';
import { etaOf, ZSendTransfer } from './transfer-schemas';
import type { TransferContext, TransferTx } from './transfer-types';
import { checkedVitals, checkEta, checkOnset } from './transfer-checks';

export type TransferActor = Principal & { actingFacilityId: string | null };

export async function sendTransfer(context: TransferContext, actor: TransferActor, input: unknown, now = new Date()): Promise<{ id: string; created: boolean }> {
  const { db } = context;
  const request = parseInput(ZSendTransfer, input);
  const facilityId = await authorizeTransferSending(db, actor.userId, actor.actingFacilityId);
  const earlier = await db.transferNotice.findUnique({ where: { senderId_clientKey: { senderId: actor.userId, clientKey: request.clientKey } }, select: { id: true } });
  if (earlier) return { id: earlier.id, created: false };

  const service = await db.service.findFirst({ where: { id: request.serviceId, disabledAt: null, facility: { disabledAt: null } }, select: { id: true, facilityId: true } });
  if (!service) throw new DomainError('INVALID_INPUT', 'unknown receiving service', { userMessage: 'Choose the receiving service from the list.', fields: { serviceId: 'Choose the receiving service from the list' } });
  const remote = await noticePeerOfService(db, service.id);
  if (remote) authorizeNoticeForward(remote);
  const etaAt = checkEta(etaOf(request, now)!, now);
  checkOnset(request.onsetAt ?? null, now);
  const vitals = request.vitals ? checkedVitals(request.vitals, request.confirmVitals, now) : null;
  const copies = await ownStudies(context, facilityId, request.studyInstanceUids);
  const patient = await patientOf(context, facilityId, request, copies, now);

  let created: { id: string; sentAt: Date; overrideId: string | null };
  try {
    created = await db.$transaction(async (tx) => {
      const notice = await tx.transferNotice.create({
        data: {
          senderId: actor.userId,
          sendingFacilityId: facilityId,
          patientRef: patient.ref,
          patientId: patient.patientId,
          patientName: patient.name,
          unidentified: request.unidentified,
          targetServiceId: service.id,
          targetFacilityId: service.facilityId,
          condition: request.condition,
          suspectedDiagnosis: request.suspectedDiagnosis,
          findings: request.findings,
          vitals: JSON.stringify(vitals ?? {}),
          onsetAt: request.onsetAt ?? null,
          onsetIsLastKnownWell: request.onsetIsLastKnownWell,
          transportMode: request.transportMode,
          etaAt,
          callbackPhone: request.callbackPhone,
          status: 'SENT',
          sentAt: now,
          alarmSince: now,
          clientKey: request.clientKey,
          studies: { create: copies.map((copy) => ({ studyRef: copy.id, studyFacilityId: copy.facilityId, studyInstanceUid: copy.studyInstanceUid, addedAt: now })) },
          events: {
            create: [
              { actorId: actor.userId, action: 'send', at: now, details: JSON.stringify({ serviceId: service.id, etaAt: etaAt.toISOString(), studies: copies.length }) },
              ...(vitals ? [{ actorId: actor.userId, action: 'vitals', at: now, details: JSON.stringify(vitals) }] : []),
            ],
          },
        },
        select: { id: true, sentAt: true },
      });
      const until = await accessEndFor(tx, service.id, etaAt);
      const overrideId = await grantTransferStudies(tx, actor, { id: notice.id, senderId: actor.userId, sendingFacilityId: facilityId, patientRef: patient.ref, patientId: patient.patientId, patientName: patient.name, condition: request.condition, targetServiceId: service.id, overrideId: null }, copies, until, now);
      if (overrideId) await tx.transferNotice.update({ where: { id: notice.id }, data: { overrideId } });
      await recordTransferAudit(tx, actor, { id: notice.id, sendingFacilityId: facilityId, targetFacilityId: service.facilityId, patientId: patient.patientId, studyInstanceUid: copies[0]?.studyInstanceUid }, 'transfer.send', {
        to: 'SENT', serviceId: service.id, condition: request.condition, etaAt: etaAt.toISOString(), studies: copies.map((copy) => copy.studyInstanceUid), vitals: vitals !== null, overrideId: overrideId ?? undefined, grantsUntil: until.toISOString(),
      });
      // A service of a paired node: the notice is delivered there (it rings and escalates there), then its images follow
      if (remote) await queueNoticeForward(tx, notice.id);
      else await scheduleTransferEscalation(tx, { id: notice.id, targetServiceId: service.id, targetFacilityId: service.facilityId, alarmSince: now });
      return { ...notice, overrideId };
    });
  } catch (error) {
    // The same Send twice at once: the second insert meets the first's clientKey
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const first = await db.transferNotice.findUnique({ where: { senderId_clientKey: { senderId: actor.userId, clientKey: request.clientKey } }, select: { id: true } });
      if (first) return { id: first.id, created: false };
    }
    throw error;
  }
  wakeJobRunners();
  const parties = { id: created.id, senderId: actor.userId, sendingFacilityId: facilityId, targetServiceId: service.id, targetFacilityId: service.facilityId, status: 'SENT' };
  if (!remote) await ringTransferAlarm(context, { id: created.id, targetServiceId: service.id, condition: request.condition, etaAt, sentAt: created.sentAt });
  await publishTransferChanged(context, parties, 'send');
  return { id: created.id, created: true };
}

/** The studies must be copies of the sending facility (its members read them): NOT_FOUND names none of another's. */
export async function ownStudies(context: TransferContext, facilityId: string, uids: readonly string[]): Promise<StudyCopy[]> {
  const copies: StudyCopy[] = [];
  for (const uid of new Set(uids)) {
    const copy = await context.db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: uid } }, select: { id: true, facilityId: true, studyInstanceUid: true } });
    if (!copy) throw new PolicyError('NOT_FOUND', 'study not found in the sending facility');
    copies.push(copy);
  }
  return copies;
}

interface NoticePatient {
  ref: string | null;
  patientId: string;
  name: string;
}

/** The patient: the record named, else the first study's, else (unidentified, no images yet) a temporary ID. Every study must be of that person. */
async function patientOf(context: TransferContext, facilityId: string, request: { patientRef?: string | null; unidentified: boolean }, copies: readonly StudyCopy[], now: Date): Promise<NoticePatient> {
  const { db } = context;
  const studyPatients = copies.length ? await db.study.findMany({ where: { id: { in: copies.map((copy) => copy.id) } }, select: { patientRef: true } }) : [];
  const ref = request.patientRef ?? studyPatients[0]?.patientRef ?? null;
  if (!ref) return { ref: null, patientId: temporaryPatientId(now), name: 'Unidentified emergency patient' };
  const patient = await db.patient.findFirst({ where: { id: ref, facilityId }, select: { id: true, patientId: true, name: true } });
  if (!patient) throw new PolicyError('NOT_FOUND', 'patient not found in the sending facility');
  const records = new Set(await personRecordRefs(db, patient.id));
  if (studyPatients.some((row) => !records.has(row.patientRef))) {
    throw new DomainError('INVALID_INPUT', 'studies of another patient', { userMessage: 'All studies sent must be of this patient.', fields: { studyInstanceUids: 'All studies must be of this patient' } });
  }
  return { ref: patient.id, patientId: patient.patientId, name: patient.name };
}

/** "EM-20261207-K7Q2": typed at the modality as the Patient ID, so the images find the notice */
export function temporaryPatientId(now: Date): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const random = [...randomBytes(4)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `EM-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${random}`;
}

export type { TransferTx };
