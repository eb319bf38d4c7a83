// An unidentified emergency patient is identified (issue 17): the sending team names the
// patient's real record (of the sending facility). The notice moves to that record, and the
// temporary record its images were stored under is linked to it as the same person
// (PatientLink, method TRANSFER_IDENTIFY), so the patient page, the history and consent see
// one person. The images stay under the temporary ID in the archive: moving them to the
// real MRN is a patient merge (HL7 ADT A40, the data-bridge issue), not this.
import { z } from 'zod';
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { auditedTransfer, loadTransfer, requireSide } from './load-transfer';
import { recordTransferAudit } from './transfer-audit';
import { publishTransferChanged } from './transfer-events';
import type { TransferContext } from './transfer-types';

const ZIdentify = z.object({ patientRef: z.string({ error: 'Choose the patient’s record' }).trim().min(1, 'Choose the patient’s record').max(64) });

export async function identifyTransferPatient(context: TransferContext, principal: Principal, noticeId: string, input: unknown, now = new Date()): Promise<{ id: string; patientRef: string }> {
  const { db } = context;
  const { notice, sides } = await loadTransfer(context, principal, noticeId);
  requireSide(sides, 'SENDER', 'identifies the patient');
  const { patientRef } = parseInput(ZIdentify, input);
  if (!notice.unidentified) throw new DomainError('CONFLICT', 'patient already identified', { userMessage: 'This patient is identified already.' });
  const real = await db.patient.findFirst({ where: { id: patientRef, facilityId: notice.sendingFacilityId }, select: { id: true, patientId: true, name: true } });
  if (!real) throw new PolicyError('NOT_FOUND', 'patient not found in the sending facility');
  const temporaryRef = notice.patientRef;
  const temporaryId = notice.patientId;
  if (temporaryRef === real.id) throw new DomainError('INVALID_INPUT', 'same record', { userMessage: 'Choose the patient’s real record, not the temporary one.', fields: { patientRef: 'Choose the real record' } });
  await db.$transaction(async (tx) => {
    if (temporaryRef) {
      const links = await tx.patientLink.findMany({ where: { patientRef: { in: [temporaryRef, real.id] }, unlinkedAt: null }, select: { patientRef: true, personRef: true } });
      const persons = new Map(links.map((link) => [link.patientRef, link.personRef]));
      const [temporary, known] = [persons.get(temporaryRef), persons.get(real.id)];
      if (temporary && known && temporary !== known) throw new DomainError('CONFLICT', 'both records linked elsewhere', { userMessage: 'Both records are linked to other records already: ask an administrator to link them.' });
      const personRef = temporary ?? known ?? (await tx.person.create({ data: {}, select: { id: true } })).id;
      for (const ref of [temporaryRef, real.id].filter((id) => !persons.has(id))) {
        const made = { method: 'TRANSFER_IDENTIFY', linkedById: principal.userId, linkedAt: now, unlinkedAt: null, unlinkedById: null, unlinkReason: '' };
        await tx.patientLink.upsert({ where: { patientRef_personRef: { patientRef: ref, personRef } }, create: { patientRef: ref, personRef, ...made }, update: made });
      }
    }
    await tx.transferNotice.update({ where: { id: notice.id }, data: { patientRef: real.id, patientId: real.patientId, patientName: real.name, unidentified: false, revision: { increment: 1 } } });
    await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'identify', at: now, details: JSON.stringify({ temporaryId, patientId: real.patientId }) } });
    await recordTransferAudit(tx, principal, { ...auditedTransfer(notice), patientId: real.patientId }, 'transfer.update', { reason: `identified (temporary ID ${temporaryId})` });
  });
  await publishTransferChanged(context, notice, 'identify');
  return { id: notice.id, patientRef: real.id };
}
