// A study copy that received images, checked against its facility's orders
// (IHE SWF: the Order Filler learns that the step was performed). An order
// is linked when the images carry its Study Instance UID — the one the
// worklist gave the modality — or its accession number, the latter only
// when the images' Patient ID is the order's patient's: an accession number
// typed on the wrong patient must not file her images under another
// person's order. A linked order shows IMAGES_RECEIVED, its study and how
// many images arrived.
import type { Database } from '../../prisma/database';
import type { Logger } from '../../pacs-core/logger';
import { recordAudit } from '../audit/record-audit';
import { ACTIVE_ORDER_STATUSES } from './order-statuses';

export interface ArrivedStudy {
  facilityId: string;
  studyInstanceUid: string;
}

export interface LinkOutcome {
  /** Orders linked now (their status changed to IMAGES_RECEIVED) */
  linked: string[];
  /** Orders already on this study whose image count was brought up to date */
  counted: number;
}

const NOTHING: LinkOutcome = { linked: [], counted: 0 };

/** Both issuers must agree when both are known; an image without one matches on the ID alone. */
function samePatient(order: { patientId: string; issuer: string }, images: { patientId: string; issuer: string }): boolean {
  if (order.patientId !== images.patientId) return false;
  return !order.issuer || !images.issuer || order.issuer === images.issuer;
}

export async function linkStudyToOrders(db: Database, logger: Logger, study: ArrivedStudy, now = new Date()): Promise<LinkOutcome> {
  const copy = await db.study.findUnique({
    where: { facilityId_studyInstanceUid: { facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid } },
    select: { id: true, accessionNumber: true, numberOfInstances: true, patient: { select: { patientId: true, issuer: true } } },
  });
  if (!copy) return NOTHING;
  const accession = copy.accessionNumber.trim();
  const orders = await db.imagingOrder.findMany({
    where: {
      facilityId: study.facilityId,
      OR: [{ studyRef: copy.id }, { studyInstanceUid: study.studyInstanceUid }, ...(accession ? [{ accessionNumber: accession }] : [])],
    },
    select: { id: true, status: true, studyRef: true, studyInstanceUid: true, accessionNumber: true, instancesReceived: true, patient: { select: { patientId: true, issuer: true } } },
  });
  if (!orders.length) return NOTHING;

  const outcome: LinkOutcome = { linked: [], counted: 0 };
  for (const order of orders) {
    if (order.studyRef === copy.id) {
      // Already linked: the count follows the images still arriving
      if (order.instancesReceived !== copy.numberOfInstances) {
        await db.imagingOrder.update({ where: { id: order.id }, data: { instancesReceived: copy.numberOfInstances } });
        outcome.counted += 1;
      }
      continue;
    }
    if (!(ACTIVE_ORDER_STATUSES as readonly string[]).includes(order.status)) continue;
    const byUid = order.studyInstanceUid === study.studyInstanceUid;
    if (!byUid && !samePatient(order.patient, copy.patient)) {
      logger.warn('orders: images carry an order’s accession number but another patient’s ID; not linked', {
        accessionNumber: order.accessionNumber,
        studyInstanceUid: study.studyInstanceUid,
        orderId: order.id,
      });
      continue;
    }
    const linked = await db.$transaction(async (tx) => {
      // A claim on the status: of two batches racing for the order, one links it
      const claim = await tx.imagingOrder.updateMany({
        where: { id: order.id, status: order.status, studyRef: null },
        data: { status: 'IMAGES_RECEIVED', studyRef: copy.id, imagesReceivedAt: now, instancesReceived: copy.numberOfInstances },
      });
      if (claim.count === 0) return false;
      await recordAudit(tx, {
        actor: 'system',
        action: 'order.change',
        outcome: 'SUCCESS',
        facilityId: study.facilityId,
        patientId: copy.patient.patientId,
        studyUid: study.studyInstanceUid,
        resource: `order:${order.id}`,
        details: {
          accessionNumber: order.accessionNumber,
          orderStatus: { from: order.status, to: 'IMAGES_RECEIVED' },
          studyUid: study.studyInstanceUid,
          linkedBy: byUid ? 'studyInstanceUid' : 'accessionNumber',
        },
      });
      return true;
    });
    if (linked) outcome.linked.push(order.id);
  }
  return outcome;
}
