// Imaging orders (scheduled procedure steps) and their patients written
// straight into the database, as the HL7 order handler (lib/hl7) leaves them:
// for the tests of what reads orders (the worklist, linking arriving images).
import type { Database } from '../../prisma/database';
import { personNameSearchKey } from '../../pacs-core/dicom/normalize';

let sequence = 0;

export interface TestPatient {
  patientId: string;
  name: string;
  issuer?: string;
  sex?: string;
  birthDate?: string;
}

/** A patient record of the facility as the HIS registered it (demographicsSource HIS). */
export async function createOrderPatient(db: Database, facilityId: string, patient: TestPatient) {
  return db.patient.create({
    data: {
      facilityId,
      patientId: patient.patientId,
      issuer: patient.issuer ?? '',
      name: patient.name,
      nameSearch: personNameSearchKey(patient.name),
      sex: patient.sex ?? '',
      birthDate: patient.birthDate ?? '',
      demographicsSource: 'HIS',
      demographicsAt: new Date(),
    },
  });
}

export interface TestOrder {
  accessionNumber: string;
  studyInstanceUid?: string;
  modality?: string;
  stationAet?: string;
  scheduledDate?: string;
  scheduledTime?: string;
  status?: string;
  requestedProcedureId?: string;
  requestedProcedureCode?: string;
  requestedProcedureText?: string;
  stepDescription?: string;
  priority?: string;
  referringPhysician?: string;
}

/** One scheduled procedure step of `patientRef` (a Patient row id). */
export async function createOrder(db: Database, facilityId: string, patientRef: string, order: TestOrder) {
  sequence += 1;
  return db.imagingOrder.create({
    data: {
      facilityId,
      patientRef,
      placerOrderNumber: `PL${sequence}`,
      fillerOrderNumber: `FL${sequence}`,
      accessionNumber: order.accessionNumber,
      requestedProcedureId: order.requestedProcedureId ?? `RP${sequence}`,
      requestedProcedureCode: order.requestedProcedureCode ?? '',
      requestedProcedureScheme: order.requestedProcedureCode ? 'L' : '',
      requestedProcedureText: order.requestedProcedureText ?? '',
      studyInstanceUid: order.studyInstanceUid ?? `2.25.${Date.now()}${sequence}`,
      stepId: `SPS${sequence}`,
      stepDescription: order.stepDescription ?? '',
      modality: order.modality ?? 'CT',
      stationAet: order.stationAet ?? '',
      scheduledDate: order.scheduledDate ?? '',
      scheduledTime: order.scheduledTime ?? '',
      status: order.status ?? 'SCHEDULED',
      priority: order.priority ?? 'ROUTINE',
      referringPhysician: order.referringPhysician ?? '',
    },
  });
}
