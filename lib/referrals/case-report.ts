// The report of a second-opinion case (issue 15) is written on the case's
// first study by the expert who has the case, and kept beside the study
// copy's own report (Report.referralId, reportKey = the case id). This
// decides, for lib/reports, which study a case's report is on and whether
// the caller may start it; lib/reports keeps the report rules.
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import type { AuthorizedStudy } from '../policy/study-access';
import type { Database } from '../../prisma/database';
import { loadReferral, primaryStudyOf } from './load-referral';
import { COMPLETABLE_STATUSES, type ReferralStatus } from './referral-states';

export interface CaseReportTarget {
  referralId: string;
  study: AuthorizedStudy;
  /** The caller has the case and it waits for its report */
  mayWrite: boolean;
}

/** NOT_FOUND for a non-party; the study the case's report is on. */
export async function caseReportTarget(db: Database, principal: Principal, referralId: string): Promise<CaseReportTarget> {
  const { referral, roles } = await loadReferral(db, principal, referralId);
  const primary = primaryStudyOf(referral);
  if (!primary?.studyRef) throw new DomainError('NOT_FOUND', 'case study deleted', { userMessage: 'The study of this case is no longer in the archive.' });
  return {
    referralId: referral.id,
    study: { id: primary.studyRef, facilityId: primary.studyFacilityId, studyInstanceUid: primary.studyInstanceUid, patientId: referral.patientId },
    mayWrite: roles.includes('OWNER') && COMPLETABLE_STATUSES.includes(referral.status as ReferralStatus),
  };
}

/** CONFLICT unless the caller has the case and it waits for its report (starting the report). */
export function requireCaseReportWriter(target: CaseReportTarget): void {
  if (!target.mayWrite) throw new DomainError('CONFLICT', 'case report by a non-owner or in a closed state', { userMessage: 'Only the expert who has the case writes its report, until it is signed.' });
}
