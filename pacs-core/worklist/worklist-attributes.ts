// The Modality Worklist's attributes (PS3.4 K.6.1.2.2, IHE RAD TF-2 RAD-5):
// where each one's value comes from in an ImagingOrder row (one scheduled
// procedure step) and its Patient, and how a key on it is matched. One table,
// read by the matching (find-worklist.ts) and by the answer (worklist-item.ts).
import type { ImagingOrderModel, PatientModel } from '../../prisma/database';
import type { MatchKind } from './worklist-match';

export type WorklistRow = ImagingOrderModel & { patient: PatientModel };

export interface WorklistAttribute {
  keyword: string;
  /** DICOM JSON tag (ggggeeee) and VR, for the answer */
  tag: string;
  vr: string;
  match: MatchKind;
  value(row: WorklistRow): string;
}

/** PS3.3 C.4.10: our statuses as Scheduled Procedure Step Status defined terms. */
const STEP_STATUS: Record<string, string> = { SCHEDULED: 'SCHEDULED', IN_PROGRESS: 'STARTED' };

function attribute(keyword: string, tag: string, vr: string, match: MatchKind, value: (row: WorklistRow) => string): WorklistAttribute {
  return { keyword, tag, vr, match, value };
}

/** Scheduled Procedure Step Sequence (0040,0100): one item per order (our row is one step). */
export const SCHEDULED_STEP_SEQUENCE = { keyword: 'ScheduledProcedureStepSequence', tag: '00400100' } as const;

/** The attributes of the Scheduled Procedure Step Sequence item. */
export const STEP_ATTRIBUTES: readonly WorklistAttribute[] = [
  attribute('ScheduledStationAETitle', '00400001', 'AE', 'text', (row) => row.stationAet),
  attribute('ScheduledProcedureStepStartDate', '00400002', 'DA', 'date', (row) => row.scheduledDate),
  attribute('ScheduledProcedureStepStartTime', '00400003', 'TM', 'time', (row) => row.scheduledTime),
  attribute('Modality', '00080060', 'CS', 'text', (row) => row.modality),
  // The HL7 order carries no performing physician: returned empty, so only a universal key matches
  attribute('ScheduledPerformingPhysicianName', '00400006', 'PN', 'person-name', () => ''),
  attribute('ScheduledProcedureStepDescription', '00400007', 'LO', 'text', (row) => row.stepDescription || row.requestedProcedureText),
  attribute('ScheduledProcedureStepID', '00400009', 'SH', 'text', (row) => row.stepId),
  attribute('ScheduledStationName', '00400010', 'SH', 'text', (row) => row.stationName),
  attribute('ScheduledProcedureStepStatus', '00400020', 'CS', 'text', (row) => STEP_STATUS[row.status] ?? ''),
];

/** Requested Procedure, Imaging Service Request, Visit and Patient attributes (the identifier's top level). */
export const TOP_LEVEL_ATTRIBUTES: readonly WorklistAttribute[] = [
  attribute('PatientName', '00100010', 'PN', 'person-name', (row) => row.patient.name),
  attribute('PatientID', '00100020', 'LO', 'text', (row) => row.patient.patientId),
  attribute('IssuerOfPatientID', '00100021', 'LO', 'text', (row) => row.patient.issuer),
  attribute('PatientBirthDate', '00100030', 'DA', 'date', (row) => row.patient.birthDate),
  attribute('PatientSex', '00100040', 'CS', 'text', (row) => row.patient.sex),
  attribute('AccessionNumber', '00080050', 'SH', 'text', (row) => row.accessionNumber),
  attribute('ReferringPhysicianName', '00080090', 'PN', 'person-name', (row) => row.referringPhysician),
  attribute('StudyInstanceUID', '0020000D', 'UI', 'uid', (row) => row.studyInstanceUid),
  attribute('RequestingPhysician', '00321032', 'PN', 'person-name', (row) => row.requestingPhysician),
  attribute('RequestedProcedureDescription', '00321060', 'LO', 'text', (row) => row.requestedProcedureText),
  attribute('RequestedProcedureID', '00401001', 'SH', 'text', (row) => row.requestedProcedureId),
  attribute('ReasonForTheRequestedProcedure', '00401002', 'LO', 'text', (row) => row.reasonForStudy),
  attribute('RequestedProcedurePriority', '00401003', 'SH', 'text', (row) => row.priority),
];

/** Requested Procedure Code Sequence (0032,1064): returned, not matched on. */
export const REQUESTED_PROCEDURE_CODE_SEQUENCE = { keyword: 'RequestedProcedureCodeSequence', tag: '00321064' } as const;

const BY_KEYWORD = new Map([...STEP_ATTRIBUTES, ...TOP_LEVEL_ATTRIBUTES].map((entry) => [entry.keyword, entry]));

export function worklistAttribute(keyword: string, inStep: boolean): WorklistAttribute | undefined {
  const found = BY_KEYWORD.get(keyword);
  return found && STEP_ATTRIBUTES.includes(found) === inStep ? found : undefined;
}
