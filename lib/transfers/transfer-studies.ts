// Studies join a notice after it was sent (issue 17): a repeat scan the sender adds, or an
// unidentified patient's images arriving under the notice's temporary ID
// (follow-arriving-images.ts). Inside the caller's transaction: the rows, the timeline, and
// the grants to the receiving service on the notice's basis — made now when the notice had
// none (its patient had no record yet: the first images name it). A notice to another node's
// service sends them there too (queueNoticeForward).
import { queueNoticeForward } from '../federation/notices/forward-notice-job';
import type { Principal } from '../policy/principal';
import { accessEndFor, grantTransferStudies, type NoticeBasis, type StudyCopy } from './transfer-access-grants';
import type { TransferTx } from './transfer-types';

type NoticeRow = NoticeBasis & { etaAt: Date };

/** actor: who adds them (the sender, or the sender on whose behalf arriving images are attached); actorId null in the timeline when automatic */
export async function addTransferStudies(tx: TransferTx, actor: Principal, notice: NoticeRow, copies: readonly StudyCopy[], now: Date, options: { automatic?: boolean } = {}): Promise<NoticeRow> {
  if (!copies.length) return notice;
  let row = notice;
  if (!row.patientRef) {
    const first = await tx.study.findUniqueOrThrow({ where: { id: copies[0].id }, select: { patientRef: true, patient: { select: { patientId: true, name: true } } } });
    await tx.transferNotice.update({ where: { id: row.id }, data: { patientRef: first.patientRef, patientId: first.patient.patientId, patientName: first.patient.name || row.patientName } });
    row = { ...row, patientRef: first.patientRef, patientId: first.patient.patientId, patientName: first.patient.name || row.patientName };
  }
  await tx.transferStudy.createMany({ data: copies.map((copy) => ({ noticeId: row.id, studyRef: copy.id, studyFacilityId: copy.facilityId, studyInstanceUid: copy.studyInstanceUid, addedAt: now })) });
  for (const copy of copies) {
    await tx.transferEvent.create({ data: { noticeId: row.id, actorId: options.automatic ? null : actor.userId, action: 'study', at: now, details: JSON.stringify({ studyInstanceUid: copy.studyInstanceUid, ...(options.automatic ? { automatic: true } : {}) }) } });
  }
  const until = row.overrideId
    ? (await tx.emergencyOverride.findUniqueOrThrow({ where: { id: row.overrideId }, select: { endsAt: true } })).endsAt
    : await accessEndFor(tx, row.targetServiceId, row.etaAt);
  const overrideId = await grantTransferStudies(tx, actor, row, copies, until, now);
  if (overrideId && !row.overrideId) {
    await tx.transferNotice.update({ where: { id: row.id }, data: { overrideId } });
    row = { ...row, overrideId };
  }
  // A notice to a service of another node: these studies follow it there (issue 19)
  await queueNoticeForward(tx, row.id, copies.map((copy) => copy.studyInstanceUid));
  return row;
}
