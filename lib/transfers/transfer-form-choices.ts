// What the sending form offers (issue 17): the receiving services of this node (enabled
// services of enabled facilities, the sender's own facility's too), the sending facility's
// studies of the last 24 hours (newest first: "the CT just made"), and, when the form is
// opened from a study or a patient, that patient and their studies, the study preselected.
import type { Principal } from '../policy/principal';
import { authorizeTransferSending } from '../policy/transfer-access';
import { transferServiceChoices } from './transfer-services';
import type { TransferContext } from './transfer-types';

const RECENT_MS = 24 * 3_600_000;

export interface TransferFormChoices {
  facility: { id: string; name: string };
  services: { id: string; name: string; facilityId: string; facilityName: string }[];
  studies: { studyInstanceUid: string; patientRef: string; patientId: string; patientName: string; description: string; modalities: string; instances: number; receivedAt: Date }[];
  patient: { ref: string; patientId: string; name: string } | null;
  preselected: string[];
}

export async function transferFormChoices(context: TransferContext, actor: Principal & { actingFacilityId: string | null }, from: { study?: string; patient?: string } = {}, now = new Date()): Promise<TransferFormChoices> {
  const { db } = context;
  const facilityId = await authorizeTransferSending(db, actor.userId, actor.actingFacilityId);
  const facility = await db.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { id: true, name: true } });
  // Those of paired nodes too, named with their node (issue 19: the notice is delivered there)
  const services = await transferServiceChoices(context);
  const chosenStudy = from.study ? await db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: from.study } }, select: { patientRef: true, studyInstanceUid: true } }) : null;
  const patientRef = chosenStudy?.patientRef ?? from.patient ?? null;
  const patient = patientRef ? await db.patient.findFirst({ where: { id: patientRef, facilityId }, select: { id: true, patientId: true, name: true } }) : null;
  const studies = await db.study.findMany({
    where: patient ? { facilityId, patientRef: patient.id } : { facilityId, updatedAt: { gte: new Date(now.getTime() - RECENT_MS) } },
    orderBy: [{ updatedAt: 'desc' }],
    take: 30,
    select: { studyInstanceUid: true, patientRef: true, description: true, modalities: true, numberOfInstances: true, updatedAt: true, patient: { select: { patientId: true, name: true } } },
  });
  return {
    facility,
    services: services.map((service) => ({ id: service.id, name: service.name, facilityId: service.facilityId, facilityName: service.facilityName })),
    studies: studies.map((study) => ({ studyInstanceUid: study.studyInstanceUid, patientRef: study.patientRef, patientId: study.patient.patientId, patientName: study.patient.name, description: study.description, modalities: study.modalities.split('\\').filter(Boolean).join(', '), instances: study.numberOfInstances, receivedAt: study.updatedAt })),
    patient: patient ? { ref: patient.id, patientId: patient.patientId, name: patient.name } : null,
    preselected: chosenStudy ? [chosenStudy.studyInstanceUid] : [],
  };
}
