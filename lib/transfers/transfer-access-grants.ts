// A notice's images for the receiving service, on the vital-interest basis (issue 17).
// The basis is an EmergencyOverride row of reason TRANSFER_NOTICE made by the notice for
// its patient (the sender's, for the sending facility): lib/policy/share-basis.ts answers
// VITAL_INTEREST for it, the privacy officers find it in their review queue, and its end
// ends every grant resting on it (lib/emergency-override). Each study sent is granted to
// the service (purpose EMERGENCY, source 'transfer'); the end is the expected arrival (or
// the arrival) plus the service's transferAccessHours, and moves with the ETA.
import { enqueueJob } from '../jobs/enqueue-job';
import { grantStudyRead } from '../grants/grant-study-read';
import { revokeGrants, type RevokedGrant } from '../grants/revoke-grants';
import { stopOverrideInTransaction } from '../emergency-override/end-override';
import { EMERGENCY_OVERRIDE_STARTED, recordOverrideAudit } from '../emergency-override/override-audit';
import { revokeConsultationReads } from '../grants/consultation-grants';
import { facilitiesOfOverride } from '../policy/override-access';
import { transferSidesOf, type TransferParties } from '../policy/transfer-access';
import type { Principal } from '../policy/principal';
import { conditionWords, TRANSFER_OVERRIDE_REASON } from './transfer-words';
import type { TransferTx } from './transfer-types';

const HOUR_MS = 3_600_000;

export interface StudyCopy {
  id: string;
  facilityId: string;
  studyInstanceUid: string;
}

/** What a notice's basis and grants are made from */
export interface NoticeBasis {
  id: string;
  senderId: string;
  sendingFacilityId: string;
  patientRef: string | null;
  patientId: string;
  patientName: string;
  condition: string;
  targetServiceId: string;
  overrideId: string | null;
}

/** Until when the receiving service reads the images: the arrival (or the ETA until then) plus the service's hours. */
export async function accessEndFor(tx: TransferTx, serviceId: string, from: Date): Promise<Date> {
  const service = await tx.service.findUniqueOrThrow({ where: { id: serviceId }, select: { transferAccessHours: true } });
  return new Date(from.getTime() + service.transferAccessHours * HOUR_MS);
}

/**
 * Grants these study copies to the notice's service; makes the vital-interest basis first
 * when the notice has none yet (returns its id; null while the patient has no record).
 */
export async function grantTransferStudies(tx: TransferTx, sender: Principal, notice: NoticeBasis, copies: readonly StudyCopy[], until: Date, now: Date): Promise<string | null> {
  if (!notice.patientRef) return null;
  const overrideId = notice.overrideId ?? (await startVitalInterest(tx, sender, notice, until, now));
  for (const copy of copies) {
    await grantStudyRead(tx, {
      grantee: { serviceId: notice.targetServiceId },
      study: copy,
      purpose: 'EMERGENCY',
      overrideId,
      grantedById: sender.userId,
      validFrom: now,
      validUntil: until,
      source: { type: 'transfer', id: notice.id },
    }, now);
  }
  return overrideId;
}

async function startVitalInterest(tx: TransferTx, sender: Principal, notice: NoticeBasis, until: Date, now: Date): Promise<string> {
  const service = await tx.service.findUniqueOrThrow({ where: { id: notice.targetServiceId }, select: { name: true, facility: { select: { name: true } } } });
  const patient = await tx.patient.findUniqueOrThrow({ where: { id: notice.patientRef! }, select: { facilityId: true } });
  const override = await tx.emergencyOverride.create({
    data: {
      userId: notice.senderId,
      actingFacilityId: notice.sendingFacilityId,
      patientRef: notice.patientRef!,
      patientFacilityId: patient.facilityId,
      patientId: notice.patientId,
      patientName: notice.patientName,
      reasonCode: TRANSFER_OVERRIDE_REASON,
      reasonText: `${conditionWords(notice.condition)} → ${service.name}, ${service.facility.name}`,
      startedAt: now,
      endsAt: until,
    },
  });
  const facilityIds = await facilitiesOfOverride(tx, override);
  await recordOverrideAudit(tx, sender, override, facilityIds, 'override.start', { eventTypeCode: EMERGENCY_OVERRIDE_STARTED });
  await scheduleAccessEnd(tx, override.id, override.patientFacilityId, until);
  return override.id;
}

/** Moves the end of the notice's access (a new ETA, the arrival): its basis and its grants end then. Nothing once it has stopped. */
export async function moveTransferAccessEnd(tx: TransferTx, notice: Pick<NoticeBasis, 'id' | 'overrideId'>, until: Date, now: Date): Promise<void> {
  if (!notice.overrideId) return;
  const moved = await tx.emergencyOverride.updateMany({ where: { id: notice.overrideId, endedAt: null, stopRecordedAt: null, endsAt: { gt: now } }, data: { endsAt: until } });
  if (moved.count !== 1) return;
  await tx.accessGrant.updateMany({ where: { overrideId: notice.overrideId, sourceType: 'transfer', sourceId: notice.id, revokedAt: null }, data: { validUntil: until } });
  const override = await tx.emergencyOverride.findUniqueOrThrow({ where: { id: notice.overrideId }, select: { patientFacilityId: true } });
  await scheduleAccessEnd(tx, notice.overrideId, override.patientFacilityId, until);
}

/**
 * A redirect: the old service's grants end, the new service's start on the same basis. A notice
 * received from another node (issue 19) has no basis until it is redirected to a service of
 * another facility of this node: its images are copies of the facility that received them,
 * read there by membership; the new facility's service then reads them on a vital-interest
 * basis made now, for the copies' patient record (the same basis a local notice has).
 */
export async function moveTransferGrants(tx: TransferTx, actor: Principal, notice: NoticeBasis & { peerId?: string | null }, newServiceId: string, until: Date, now: Date): Promise<RevokedGrant[]> {
  const revoked = await revokeGrants(tx, { source: { type: 'transfer', id: notice.id } }, { revokedById: actor.userId, reason: 'transfer notice redirected' }, now);
  const copies = await tx.transferStudy.findMany({ where: { noticeId: notice.id, studyRef: { not: null } }, select: { studyRef: true, studyFacilityId: true, studyInstanceUid: true } });
  const running = notice.overrideId ? await tx.emergencyOverride.count({ where: { id: notice.overrideId, endedAt: null, endsAt: { gt: now } } }) : 0;
  const studies = copies.map((copy) => ({ id: copy.studyRef!, facilityId: copy.studyFacilityId, studyInstanceUid: copy.studyInstanceUid }));
  if (running) {
    await grantTransferStudies(tx, actor, { ...notice, targetServiceId: newServiceId }, studies, until, now);
  } else if (!notice.overrideId && notice.peerId) {
    await grantReceivedCopies(tx, { ...notice, targetServiceId: newServiceId }, studies, until, now);
  }
  return revoked;
}

/**
 * A notice received from another node: these copies of its images (of the facility that received
 * them) for its service when that service is of another facility of this node — on the notice's
 * vital-interest basis, made by the first such grant for the copies' patient record and declared
 * by the sending clinician (their mirrored user), as the sending node made its own. The basis id.
 */
export async function grantReceivedCopies(tx: TransferTx, notice: NoticeBasis, copies: readonly StudyCopy[], until: Date, now: Date): Promise<string | null> {
  const service = await tx.service.findUniqueOrThrow({ where: { id: notice.targetServiceId }, select: { facilityId: true } });
  const foreign = copies.filter((copy) => copy.facilityId !== service.facilityId);
  if (!foreign.length) return notice.overrideId;
  const patientRef = notice.patientRef ?? (await tx.study.findUnique({ where: { id: foreign[0].id }, select: { patientRef: true } }))?.patientRef ?? null;
  const sender = await tx.user.findUnique({ where: { id: notice.senderId }, select: { email: true } });
  const overrideId = await grantTransferStudies(tx, { userId: notice.senderId, email: sender?.email ?? 'another node', ip: '' }, { ...notice, patientRef }, foreign, until, now);
  if (overrideId && overrideId !== notice.overrideId) await tx.transferNotice.update({ where: { id: notice.id }, data: { overrideId } });
  return overrideId;
}

/**
 * A redirect: the notice's teleconsultations lose the participants who read through them as
 * the team it left (their grants rest on the notice's basis and would outlive their part);
 * the sender, the new team and anyone else invited keep theirs.
 */
export async function revokeFormerTeamConsultations(tx: TransferTx, actor: Principal, before: TransferParties & { id: string }, after: TransferParties, now: Date): Promise<RevokedGrant[]> {
  const events = await tx.transferEvent.findMany({ where: { noticeId: before.id, action: 'consult' }, select: { details: true } });
  const consultationIds = [...new Set(events.map((event) => (JSON.parse(event.details) as { consultationId?: string }).consultationId).filter((id): id is string => typeof id === 'string'))];
  if (!consultationIds.length) return [];
  const grants = await tx.accessGrant.findMany({ where: { sourceType: 'consultation', sourceId: { in: consultationIds }, revokedAt: null, granteeUserId: { not: null } }, select: { granteeUserId: true } });
  const revoked: RevokedGrant[] = [];
  for (const userId of new Set(grants.map((grant) => grant.granteeUserId!))) {
    const [was, is] = await Promise.all([transferSidesOf(tx, userId, before), transferSidesOf(tx, userId, after)]);
    if (!was.includes('RECEIVER') || is.length) continue;
    for (const consultationId of consultationIds) revoked.push(...(await revokeConsultationReads(tx, consultationId, { revokedById: actor.userId, reason: 'transfer notice redirected' }, userId, now)));
  }
  return revoked;
}

/** A cancelled notice: its basis ends now, and with it every grant (returns them, for the sockets to close). */
export async function endTransferAccess(tx: TransferTx, actor: Principal, notice: Pick<NoticeBasis, 'overrideId'>, now: Date): Promise<RevokedGrant[]> {
  if (!notice.overrideId) return [];
  return (await stopOverrideInTransaction(tx, notice.overrideId, { how: 'ended', actor }, now)) ?? [];
}

async function scheduleAccessEnd(tx: TransferTx, overrideId: string, facilityId: string, until: Date): Promise<void> {
  const endsAt = until.toISOString();
  await enqueueJob(tx, { type: 'override.expire', key: `${overrideId}:${endsAt}`, payload: { overrideId, endsAt }, facilityId, runAt: until });
}
