// Who may write and read the reports of a study copy (issue 14). One rule on
// top of the read scope, so that reports never open a study the images do not:
// - nobody reaches a report of a study they cannot read (readScopeFor +
//   readableStudyIds: memberships and active grants, exactly as the archive);
// - WRITE: an EXPERT or ADMIN of the copy's facility, or an EXPERT (of their
//   own facility) who reads this copy through an active grant (today a
//   teleconsultation; a referral or a co-signature later adds grant rows, not rules);
// - READ: the writers, and REFERRING members of the copy's facility or
//   REFERRING users reading it through a grant. Which versions they see
//   (drafts only their author's) is decided by lib/reports/load-report.ts.
// Everyone else: NOT_FOUND, like a study that does not exist.
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import type { Database } from '../../prisma/database';
import { activeGranteesOfStudy } from '../grants/study-grantees';
import { PolicyError } from './errors';
import { readScopeFor } from './read-scope';
import type { Role } from './roles';

export interface ReportAccess {
  write: boolean;
  read: boolean;
}

const NO_ACCESS: ReportAccess = { write: false, read: false };
const WRITERS_OF_THE_FACILITY: readonly Role[] = ['EXPERT', 'ADMIN'];
/** Members with one of these roles read their facility's reports (the worklist column, the realtime room) */
export const REPORT_READER_ROLES: readonly Role[] = ['EXPERT', 'ADMIN', 'REFERRING'];
/** A user reading a study through a grant reads its reports with one of these roles (in any facility) */
export const GRANT_REPORT_READER_ROLES: readonly Role[] = ['EXPERT', 'REFERRING'];

/** What the user may do with the reports of one study copy (its Study row). */
export async function reportAccessFor(db: Database, userId: string, study: { id: string; facilityId: string }): Promise<ReportAccess> {
  const scope = await readScopeFor(db, userId);
  if (!(await readableStudyIds(db, scope, [study.id])).has(study.id)) return NO_ACCESS;
  const memberships = await enabledMembershipsOf(db, userId);
  const rolesHere = memberships.filter((membership) => membership.facilityId === study.facilityId).map((membership) => membership.role);
  // Not a member of the copy's facility, yet it is readable: the user reads it through a grant
  const write = rolesHere.length === 0 ? memberships.some((membership) => membership.role === 'EXPERT') : rolesHere.some((role) => WRITERS_OF_THE_FACILITY.includes(role as Role));
  return { write, read: readsReportsOf(readerScopeFrom(userId, memberships), study.facilityId) };
}

/** Throws NOT_FOUND unless the user has the right; returns the whole access. */
export async function authorizeReportAccess(
  db: Database,
  userId: string,
  study: { id: string; facilityId: string },
  need: keyof ReportAccess,
): Promise<ReportAccess> {
  const access = await reportAccessFor(db, userId, study);
  if (!access[need]) throw new PolicyError('NOT_FOUND', 'report not found');
  return access;
}

/**
 * Everyone who may write (and so sign) the reports of this study copy: the
 * colleagues a report's author may ask for a co-signature. Candidates are the
 * copy's facility's EXPERT/ADMIN members and the people its active grants
 * reach; each is decided by reportAccessFor, the one rule.
 */
export async function reportWritersOf(db: Database, study: { id: string; facilityId: string }): Promise<string[]> {
  const members = await db.membership.findMany({ where: { facilityId: study.facilityId, role: { in: [...WRITERS_OF_THE_FACILITY] } }, select: { userId: true } });
  const candidates = new Set([...members.map((member) => member.userId), ...(await activeGranteesOfStudy(db, study.id))]);
  const writers: string[] = [];
  for (const userId of candidates) if ((await reportAccessFor(db, userId, study)).write) writers.push(userId);
  return writers;
}

/**
 * The people who read this study copy's reports through a grant (not as
 * members of its facility, who have their realtime room): the grantees of its
 * active grants, each decided by reportAccessFor. Whom report:changed reaches
 * beyond the facility (lib/reports/report-events.ts).
 */
export async function grantReportReadersOf(db: Database, study: { id: string; facilityId: string }): Promise<string[]> {
  const readers: string[] = [];
  for (const userId of await activeGranteesOfStudy(db, study.id)) if ((await reportAccessFor(db, userId, study)).read) readers.push(userId);
  return readers;
}

/**
 * The report read rule for many studies at once (the worklist's Report column
 * and filter): the same decision as reportAccessFor for every study already in
 * the user's read scope, by the study copy's facility.
 */
export interface ReportReaderScope {
  userId: string;
  /** Facilities where the user is a member with a reader role */
  readerFacilityIds: string[];
  /** Every facility where the user is a member (whatever the role) */
  memberFacilityIds: string[];
  /** Studies of other facilities (read through a grant) show their reports */
  readsGrantedReports: boolean;
}

export async function reportReaderScope(db: Database, userId: string): Promise<ReportReaderScope> {
  return readerScopeFrom(userId, await enabledMembershipsOf(db, userId));
}

type MembershipRole = { facilityId: string; role: string };

/** The user's memberships that count: an enabled account, an enabled facility. */
function enabledMembershipsOf(db: Database, userId: string): Promise<MembershipRole[]> {
  return db.membership.findMany({
    where: { userId, user: { disabled: false }, facility: { disabledAt: null } },
    select: { facilityId: true, role: true },
  });
}

function readerScopeFrom(userId: string, memberships: readonly MembershipRole[]): ReportReaderScope {
  return {
    userId,
    readerFacilityIds: [...new Set(memberships.filter((m) => REPORT_READER_ROLES.includes(m.role as Role)).map((m) => m.facilityId))],
    memberFacilityIds: [...new Set(memberships.map((m) => m.facilityId))],
    readsGrantedReports: memberships.some((m) => GRANT_REPORT_READER_ROLES.includes(m.role as Role)),
  };
}

/** Whether the user reads the reports of a study (already in their read scope) of this facility */
export function readsReportsOf(scope: ReportReaderScope, facilityId: string): boolean {
  if (scope.memberFacilityIds.includes(facilityId)) return scope.readerFacilityIds.includes(facilityId);
  return scope.readsGrantedReports;
}
