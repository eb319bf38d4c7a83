// ORM^O01 / OMI^O23 → ImagingOrder rows (scheduled procedure steps): NW makes
// them (a repeated NW updates them), XO changes them, CA/DC/OC cancel them, SC
// moves their status (ORC-5). The patient of PID is registered with the HIS's
// demographics first, so the worklist gives the modality the right name. A new
// order asks for its priors to be made ready (lib/orders/prefetch-priors-job.ts),
// and meets images that came first (lib/orders/link-order-to-stored-images.ts).
import { updatePatientDemographics } from '../../../pacs-core/patients/update-patient-demographics';
import { writeAuditEvent } from '../../audit/write-audit-event';
import { enqueueJob } from '../../jobs/enqueue-job';
import { Hl7Error } from '../hl7-error';
import { hl7Actor } from '../hl7-message';
import type { Hl7Handler } from '../hl7-handlers';
import { demographicsFromPid } from '../adt/patient-from-pid';
import { parseOrderMessage, type OrderedStep } from './parse-order-message';
import { linkOrderToStoredImages } from '../../orders/link-order-to-stored-images';

const STATUS_OF_ORC5: Record<string, string> = { SC: 'SCHEDULED', IP: 'IN_PROGRESS', CM: 'COMPLETED', CA: 'CANCELLED', DC: 'CANCELLED' };

export const applyOrderMessage: Hl7Handler = async (context, message, source) => {
  const { db, archive } = context;
  const steps = parseOrderMessage(message);
  const patient = demographicsFromPid(message);
  const registered = await updatePatientDemographics(archive, { facilityId: source.facilityId, ...patient, at: source.at });
  let orderRef: string | undefined;
  const placed: { facilityId: string; studyInstanceUid: string; accessionNumber: string }[] = [];
  const changes: { accessionNumber: string; from: string; to: string; control: string; studyUid: string }[] = [];
  await db.$transaction(async (tx) => {
    for (const step of steps) {
      const numbers = [...(step.placerOrderNumber ? [{ placerOrderNumber: step.placerOrderNumber }] : []), ...(step.fillerOrderNumber ? [{ fillerOrderNumber: step.fillerOrderNumber }] : [])];
      const matching = await tx.imagingOrder.findMany({
        where: { facilityId: source.facilityId, OR: numbers, ...(step.stepId ? { stepId: step.stepId } : {}) },
        select: { id: true, status: true, accessionNumber: true, studyInstanceUid: true },
      });
      if (matching.length === 0 && step.action !== 'NEW') {
        throw new Hl7Error(204, `order ${step.placerOrderNumber || step.fillerOrderNumber}${step.stepId ? ` step ${step.stepId}` : ''} is not known here (ORC-1 ${step.orderControl} needs an earlier NW)`, 'ORC-2');
      }
      if (step.action === 'NEW' || step.action === 'CHANGE') {
        const existing = matching[0];
        const clash = await tx.imagingOrder.findFirst({
          where: { facilityId: source.facilityId, accessionNumber: step.accessionNumber, status: { not: 'CANCELLED' }, ...(existing ? { id: { not: existing.id } } : {}), NOT: { placerOrderNumber: step.placerOrderNumber, fillerOrderNumber: step.fillerOrderNumber } },
          select: { placerOrderNumber: true, fillerOrderNumber: true },
        });
        if (clash) throw new Hl7Error(205, `accession number ${step.accessionNumber} belongs to another order (${clash.placerOrderNumber || clash.fillerOrderNumber})`, 'OBR-18');
        const data = { ...orderFields(step), patientRef: registered.patientRef, messageRef: source.messageId };
        placed.push({ facilityId: source.facilityId, studyInstanceUid: step.studyInstanceUid, accessionNumber: step.accessionNumber });
        if (existing) {
          const reopened = existing.status === 'CANCELLED' && step.action === 'NEW';
          await tx.imagingOrder.update({ where: { id: existing.id }, data: reopened ? { ...data, status: 'SCHEDULED' } : data });
          orderRef = existing.id;
          if (reopened) changes.push(change(step, existing.status, 'SCHEDULED'));
        } else {
          const created = await tx.imagingOrder.create({ data: { facilityId: source.facilityId, ...data, status: 'SCHEDULED' }, select: { id: true } });
          orderRef = created.id;
          changes.push(change(step, '', 'SCHEDULED'));
          await enqueueJob(tx, { type: 'order.prefetch-priors', key: created.id, payload: { orderId: created.id }, facilityId: source.facilityId });
        }
        continue;
      }
      const target = step.action === 'CANCEL' ? 'CANCELLED' : STATUS_OF_ORC5[step.orderStatus];
      if (!target) throw new Hl7Error(103, `ORC-5: order status "${step.orderStatus.slice(0, 4)}" is not one of SC, IP, CM, CA, DC`, 'ORC-5');
      for (const existing of matching) {
        await tx.imagingOrder.update({ where: { id: existing.id }, data: { status: target, messageRef: source.messageId } });
        orderRef = existing.id;
        if (existing.status !== target) changes.push({ ...change(step, existing.status, target), accessionNumber: existing.accessionNumber, studyUid: existing.studyInstanceUid });
      }
    }
  });
  for (const item of changes) {
    await writeAuditEvent(
      db,
      {
        actor: hl7Actor(message.header),
        action: 'order.change',
        outcome: 'SUCCESS',
        facilityId: source.facilityId,
        patientId: patient.patientId,
        studyUid: item.studyUid,
        resource: `order:${item.accessionNumber}`,
        details: { accessionNumber: item.accessionNumber, orderStatus: { from: item.from || null, to: item.to }, orderControl: item.control, messageId: source.messageId },
      },
      context.logger,
    );
  }
  // Images may have come first (an emergency scanned before the RIS caught up): the orders meet them now
  for (const order of placed) await linkOrderToStoredImages(db, context.logger, order);
  const summary = steps.map((step) => `${step.orderControl} ${step.accessionNumber}`).join(', ');
  return { patientRef: registered.patientRef, orderRef, orders: steps.length, text: summary.slice(0, 80) };
};

function orderFields(step: OrderedStep) {
  const { action: _action, orderControl: _control, orderStatus: _status, ...fields } = step;
  return fields;
}

function change(step: OrderedStep, from: string, to: string) {
  return { accessionNumber: step.accessionNumber, from, to, control: step.orderControl, studyUid: step.studyInstanceUid };
}
