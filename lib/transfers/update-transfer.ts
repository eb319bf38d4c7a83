// The sending team's news on the way (issue 17): new vitals (each set kept in the
// timeline), a new ETA (the images' access end moves with it), a study added (a repeat
// scan: granted to the service at once, on the notice's basis — made now if the notice had
// none, an unidentified patient's first images). Only while the notice is open.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { queueNoticeChange } from '../federation/notices/relay-notice-change';
import { wakeJobRunners } from '../jobs/job-signals';
import type { Principal } from '../policy/principal';
import { personRecordRefs } from '../policy/share-basis';
import { auditedTransfer, claimTransition, loadTransfer, requireSide } from './load-transfer';
import { ownStudies } from './send-transfer';
import { accessEndFor, moveTransferAccessEnd } from './transfer-access-grants';
import { addTransferStudies } from './transfer-studies';
import { recordTransferAudit } from './transfer-audit';
import { checkedVitals, checkEta } from './transfer-checks';
import { publishTransferChanged } from './transfer-events';
import { etaOf, ZUpdateTransfer } from './transfer-schemas';
import type { TransferContext } from './transfer-types';
import { MAX_TRANSFER_STUDIES, OPEN_TRANSFER_STATUSES, type TransferStatus } from './transfer-words';

export async function updateTransfer(context: TransferContext, principal: Principal, noticeId: string, input: unknown, now = new Date()): Promise<{ id: string; revision: number }> {
  const { db } = context;
  const { notice, sides } = await loadTransfer(context, principal, noticeId);
  requireSide(sides, 'SENDER', 'updates a notice');
  const request = parseInput(ZUpdateTransfer, input);
  if (!OPEN_TRANSFER_STATUSES.includes(notice.status as TransferStatus)) throw closed(notice.status);
  const vitals = request.vitals ? checkedVitals(request.vitals, request.confirmVitals, now) : null;
  const eta = etaOf(request, now);
  const etaAt = eta ? checkEta(eta, now) : null;
  const known = new Set(notice.studies.map((study) => study.studyInstanceUid));
  const copies = (await ownStudies(context, notice.sendingFacilityId, request.studyInstanceUids)).filter((copy) => !known.has(copy.studyInstanceUid));
  if (known.size + copies.length > MAX_TRANSFER_STUDIES) throw new DomainError('INVALID_INPUT', 'too many studies', { userMessage: `A notice sends at most ${MAX_TRANSFER_STUDIES} studies.`, fields: { studyInstanceUids: `At most ${MAX_TRANSFER_STUDIES} studies` } });
  // An unidentified patient's first images name the record; later ones must be of the same person
  const patientRefs = copies.length ? [...new Set((await db.study.findMany({ where: { id: { in: copies.map((copy) => copy.id) } }, select: { patientRef: true } })).map((row) => row.patientRef))] : [];
  const patientRef = notice.patientRef ?? patientRefs[0] ?? null;
  if (patientRef) {
    const records = new Set(await personRecordRefs(db, patientRef));
    if (patientRefs.some((ref) => !records.has(ref))) throw new DomainError('INVALID_INPUT', 'study of another patient', { userMessage: 'All studies sent must be of this patient.', fields: { studyInstanceUids: 'All studies must be of this patient' } });
  }

  const updated = await db.$transaction(async (tx) => {
    // Only while still open: an ETA committed after the arrival would move the images' end past arrival + hours
    if (!(await claimTransition(tx, notice.id, OPEN_TRANSFER_STATUSES, { ...(vitals ? { vitals: JSON.stringify(vitals) } : {}), ...(etaAt ? { etaAt } : {}) }))) {
      throw closed((await tx.transferNotice.findUniqueOrThrow({ where: { id: notice.id }, select: { status: true } })).status);
    }
    const row = await tx.transferNotice.findUniqueOrThrow({ where: { id: notice.id } });
    if (vitals) await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'vitals', at: now, details: JSON.stringify(vitals) } });
    if (etaAt) {
      await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'eta', at: now, details: JSON.stringify({ from: notice.etaAt.toISOString(), etaAt: etaAt.toISOString() }) } });
      await moveTransferAccessEnd(tx, notice, await accessEndFor(tx, row.targetServiceId, etaAt), now);
    }
    if (vitals) await queueNoticeChange(tx, notice, 'vitals', notice.sendingFacilityId);
    if (etaAt) await queueNoticeChange(tx, notice, 'eta', notice.sendingFacilityId);
    if (copies.length) await addTransferStudies(tx, principal, row, copies, now);
    const patientId = (await tx.transferNotice.findUniqueOrThrow({ where: { id: notice.id }, select: { patientId: true } })).patientId;
    await recordTransferAudit(tx, principal, { ...auditedTransfer(notice), patientId }, 'transfer.update', {
      vitals: vitals !== null, etaAt: etaAt?.toISOString(), studies: copies.length ? copies.map((copy) => copy.studyInstanceUid) : undefined,
    });
    return row;
  });
  wakeJobRunners();
  await publishTransferChanged(context, updated, copies.length ? 'study' : etaAt ? 'eta' : 'vitals');
  return { id: notice.id, revision: updated.revision };
}

function closed(status: string): DomainError {
  return new DomainError('CONFLICT', `update refused in ${status}`, { userMessage: `This notice is ${status === 'ARRIVED' ? 'closed: the patient has arrived' : 'cancelled'}: nothing was changed.` });
}
