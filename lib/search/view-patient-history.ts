// A patient's imaging history as the signed-in viewer may see it (their read
// scope, lib/policy), and whether they may start a teleconsultation from it.
// null when they may not read the patient (the page answers "not found").
import type { Database } from '../../prisma/database';
import { listInvitableColleagues, type InvitableColleague } from '../consult/list-invitable-colleagues';
import { readScopeFor } from '../policy';
import { patientLinkPermissions } from '../patients/link-permissions';
import { studyReportSummaries, type StudyReportSummary } from '../reports/study-report-summaries';
import { patientHistory, type PatientHistory } from './patient-history';
import { patientOrders, type PatientOrder } from '../orders/patient-orders';
import { mergeHistory, type PatientMergeEntry } from '../patients/merge-history';
import { isMemberOf, type Viewer } from './view-study';

export interface OpenedPatientHistory {
  patient: PatientHistory;
  /** A member of the patient's facility, with a study to consult on */
  mayStartConsultation: boolean;
  colleagues: InvitableColleague[];
  /** What the page offers for linking this record to other records of the person */
  links: Awaited<ReturnType<typeof patientLinkPermissions>>;
  /** Each study's report as the viewer may see it, by studyCopyKey (lib/reports/study-report-summaries.ts) */
  reports: Map<string, StudyReportSummary>;
  /** The record's imaging orders from the RIS (members of its facility only) */
  orders: PatientOrder[];
  /** The records merged into this one (members of its facility only) */
  merges: PatientMergeEntry[];
}

export async function viewPatientHistory(context: { db: Database }, viewer: Viewer, id: string): Promise<OpenedPatientHistory | null> {
  const scope = await readScopeFor(context.db, viewer.id);
  const patient = await patientHistory(context.db, scope, id);
  if (!patient) return null;
  // A consultation is started on this record's own studies (linked records' studies are their facility's to share)
  const mayStartConsultation = patient.studies.some((study) => study.patientRef === patient.id) && isMemberOf(viewer, patient.facility.id);
  return {
    patient,
    mayStartConsultation,
    colleagues: mayStartConsultation ? await listInvitableColleagues(context.db, viewer.id) : [],
    links: await patientLinkPermissions(context, viewer.id, patient.facility.id),
    reports: await studyReportSummaries(
      context.db,
      viewer.id,
      patient.studies.map((study) => ({ facilityId: study.facility.id, studyInstanceUid: study.studyInstanceUid })),
    ),
    orders: await patientOrders(context.db, scope, patient),
    merges: await mergeHistory(context.db, scope, patient),
  };
}
