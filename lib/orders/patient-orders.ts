// A patient's imaging orders for the patient page: every scheduled procedure
// step the RIS sent for this record, scheduled newest first, with whether its
// images have arrived. Orders are the record's facility's own: a reader who
// sees the patient only through a granted study (a teleconsultation, a
// referral) sees no orders — [] then, as for a patient without any.
import { scopeAllows, type AccessScope } from '../../pacs-core/access';
import type { Database } from '../../prisma/database';
import { ORDER_PROCEDURE_FIELDS, procedureOf } from './order-procedure';

export interface PatientOrder {
  id: string;
  /** SCHEDULED | IN_PROGRESS | IMAGES_RECEIVED | COMPLETED | CANCELLED */
  status: string;
  accessionNumber: string;
  procedure: string;
  modality: string;
  scheduledDate: string;
  scheduledTime: string;
  imagesReceivedAt: Date | null;
  instancesReceived: number;
  /** The study its images arrived in, when it is this record's */
  studyInstanceUid: string | null;
}

export async function patientOrders(db: Database, scope: AccessScope, patient: { id: string; facility: { id: string } }): Promise<PatientOrder[]> {
  if (!scopeAllows(scope, patient.facility.id)) return [];
  const orders = await db.imagingOrder.findMany({
    where: { patientRef: patient.id, facilityId: patient.facility.id },
    orderBy: [{ scheduledDate: 'desc' }, { scheduledTime: 'desc' }, { createdAt: 'desc' }],
    take: 200,
    select: {
      id: true,
      status: true,
      accessionNumber: true,
      ...ORDER_PROCEDURE_FIELDS,
      modality: true,
      scheduledDate: true,
      scheduledTime: true,
      imagesReceivedAt: true,
      instancesReceived: true,
      studyRef: true,
    },
  });
  const studyRefs = orders.map((order) => order.studyRef).filter((ref): ref is string => !!ref);
  const studies = studyRefs.length
    ? await db.study.findMany({ where: { id: { in: studyRefs }, facilityId: patient.facility.id }, select: { id: true, studyInstanceUid: true } })
    : [];
  const uidOf = new Map(studies.map((study) => [study.id, study.studyInstanceUid]));
  return orders.map((order) => ({
    id: order.id,
    status: order.status,
    accessionNumber: order.accessionNumber,
    procedure: procedureOf(order),
    modality: order.modality,
    scheduledDate: order.scheduledDate,
    scheduledTime: order.scheduledTime,
    imagesReceivedAt: order.imagesReceivedAt,
    instancesReceived: order.instancesReceived,
    studyInstanceUid: order.studyRef ? (uidOf.get(order.studyRef) ?? null) : null,
  }));
}
