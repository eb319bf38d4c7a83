// One click from a notice to a live teleconsultation on its first study (issue 17): a
// member of the receiving team starts it and the sender is invited (e.g. the
// neuro-interventionalist reviewing the CT with the district doctor during the transfer),
// or the sender starts it and the receiving team member who acknowledged (or accepted) is
// invited. Its grants rest on the notice's vital-interest basis. An open session of the
// notice the caller takes part in is reused, not doubled (the timeline keeps its id).
import { openConsultation } from '../consult/consultations';
import { DomainError } from '../errors';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { loadTransfer } from './load-transfer';
import { publishTransferChanged } from './transfer-events';
import type { TransferContext } from './transfer-types';
import { OPEN_TRANSFER_STATUSES, type TransferStatus } from './transfer-words';

export async function startTransferConsultation(context: TransferContext, principal: Principal, noticeId: string): Promise<{ id: string; created: boolean }> {
  const { db } = context;
  const { notice, sides } = await loadTransfer(context, principal, noticeId);
  if (!sides.includes('SENDER') && !sides.includes('RECEIVER')) throw new PolicyError('FORBIDDEN', 'only the sending and the receiving teams start a teleconsultation on a notice');
  if (!OPEN_TRANSFER_STATUSES.includes(notice.status as TransferStatus)) throw new DomainError('CONFLICT', `consultation refused in ${notice.status}`, { userMessage: 'This notice is closed: no new teleconsultation on it.' });
  const earlier = await db.transferEvent.findMany({ where: { noticeId: notice.id, action: 'consult' }, orderBy: { at: 'desc' }, select: { details: true } });
  for (const event of earlier) {
    const id = (JSON.parse(event.details) as { consultationId?: string }).consultationId;
    const open = id ? await db.consultation.findFirst({ where: { id, endedAt: null, participants: { some: { userId: principal.userId } } }, select: { id: true } }) : null;
    if (open) return { id: open.id, created: false };
  }
  const first = notice.studies.find((study) => study.studyRef !== null);
  if (!first?.studyRef) throw new DomainError('CONFLICT', 'no study on the notice', { userMessage: 'No images have been sent with this notice yet.' });
  const otherId = sides.includes('RECEIVER') ? notice.senderId : (notice.acceptedById ?? notice.acknowledgedById);
  if (!otherId || otherId === principal.userId) throw new DomainError('CONFLICT', 'nobody to invite', { userMessage: 'Nobody of the receiving team has acknowledged the notice yet: wait for them, or call.' });
  const other = await db.user.findFirst({ where: { id: otherId, disabled: false }, select: { id: true, email: true } });
  if (!other) throw new DomainError('CONFLICT', 'other party disabled', { userMessage: 'The other clinician can no longer sign in.' });
  const consultation = await openConsultation(
    { db },
    principal,
    { id: first.studyRef, facilityId: first.studyFacilityId, studyInstanceUid: first.studyInstanceUid, patientId: notice.patientId },
    [other],
    'Emergency transfer',
    null,
    notice.overrideId,
  );
  await db.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'consult', details: JSON.stringify({ consultationId: consultation.id }) } });
  await publishTransferChanged(context, notice, 'consult');
  return { id: consultation.id, created: true };
}
