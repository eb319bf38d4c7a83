// The two lists of cases and the header's counts (issue 15):
// - the expert's inbox: cases addressed to me (named) or to one of my
//   services and not yet claimed, and the cases I took; by due time, with
//   filters (status, priority, modality, requesting facility);
// - "My referrals" for the referring doctor: the cases I asked, newest
//   change first.
// Both answer one page of rows (no patient data beyond what the parties see
// on the case), with the unread messages of each. Access is the same rule as
// the case's (lib/policy/referral-access.ts), written as one `where`.
import type { Prisma } from '../../prisma/database';
import { parseInput } from '../admin/errors';
import { z } from 'zod';
import type { Principal } from '../policy/principal';
import type { ReferralContext } from './referral-types';
import { isOverdue } from './get-referral';
import { facilityNames } from '../federation/remote-names';
import { isUnread } from './referral-reads';
import { OPEN_STATUSES, REFERRAL_STATUSES, STATUS_WORDS, type ReferralStatus } from './referral-states';
import { REFERRAL_PRIORITIES } from './due-time';

export const REFERRAL_PAGE_SIZE = 50;

export const ZReferralFilters = z.object({
  /** open (default): still with the expert side; all; or one status */
  status: z.union([z.literal('open'), z.literal('all'), z.enum(REFERRAL_STATUSES)]).default('open'),
  priority: z.enum(REFERRAL_PRIORITIES).optional(),
  modality: z.string().trim().regex(/^[A-Z]{2,4}$/, 'A modality such as CT').optional(),
  /** The requesting facility */
  facilityId: z.string().trim().min(1).max(64).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});
export type ReferralFilters = z.input<typeof ZReferralFilters>;

export interface ReferralListRow {
  id: string;
  status: string;
  statusWords: string;
  priority: string;
  dueAt: Date | null;
  overdue: boolean;
  /** Nobody took it yet: the expert side may claim it */
  claimable: boolean;
  patientName: string;
  patientId: string;
  question: string;
  modalities: string[];
  requester: { name: string; facilityName: string };
  addressee: string;
  /** Addressed to this user by name (not to a service) */
  addressedToMe: boolean;
  owner: string | null;
  unread: number;
  reportId: string | null;
  updatedAt: Date;
}

export interface ReferralList {
  rows: ReferralListRow[];
  total: number;
  page: number;
  pageSize: number;
  /** The requesting facilities seen in the inbox (the filter's choices) */
  facilities: { id: string; name: string }[];
}

/** The cases on the expert side for this user (the inbox's `where`). */
export async function inboxWhere(db: ReferralContext['db'], userId: string): Promise<Prisma.ReferralWhereInput> {
  const services = await db.serviceMember.findMany({
    where: { userId, user: { disabled: false }, service: { disabledAt: null, facility: { disabledAt: null } } },
    select: { serviceId: true, service: { select: { facilityId: true } } },
  });
  const memberOf = await db.membership.findMany({ where: { userId, user: { disabled: false }, facility: { disabledAt: null } }, select: { facilityId: true } });
  const memberFacilityIds = [...new Set(memberOf.map((membership) => membership.facilityId))];
  return {
    OR: [
      { ownerId: userId },
      { status: 'REQUESTED', targetUserId: userId, targetFacilityId: { in: memberFacilityIds } },
      // Not the cases they asked of their own service (lib/policy/referral-access.ts)
      ...(services.length ? [{ status: 'REQUESTED', targetServiceId: { in: services.map((service) => service.serviceId) }, requesterId: { not: userId } }] : []),
    ],
  };
}

export async function listReferralInbox(context: ReferralContext, principal: Principal, input: unknown, now = new Date()): Promise<ReferralList> {
  const filters = parseInput(ZReferralFilters, input ?? {});
  const base = await inboxWhere(context.db, principal.userId);
  return listPage(context, principal, base, filters, [{ dueAt: 'asc' }, { createdAt: 'asc' }], now);
}

export async function listMyReferrals(context: ReferralContext, principal: Principal, input: unknown, now = new Date()): Promise<ReferralList> {
  const filters = parseInput(ZReferralFilters, input ?? {});
  // A requester's "open" includes drafts, declined cases to redirect and signed ones to read and close
  const mine: Prisma.ReferralWhereInput = { requesterId: principal.userId };
  const status = filters.status === 'open' ? { notIn: ['CLOSED', 'CANCELLED'] } : undefined;
  return listPage(context, principal, mine, { ...filters, status: status ? 'all' : filters.status }, [{ updatedAt: 'desc' }], now, status);
}

async function listPage(
  context: ReferralContext,
  principal: Principal,
  base: Prisma.ReferralWhereInput,
  filters: z.output<typeof ZReferralFilters>,
  orderBy: Prisma.ReferralOrderByWithRelationInput[],
  now: Date,
  statusOverride?: Prisma.StringFilter,
): Promise<ReferralList> {
  const { db } = context;
  const where: Prisma.ReferralWhereInput = {
    AND: [
      base,
      statusOverride ? { status: statusOverride } : filters.status === 'open' ? { status: { in: [...OPEN_STATUSES] } } : filters.status === 'all' ? {} : { status: filters.status },
      filters.priority ? { priority: filters.priority } : {},
      filters.facilityId ? { facilityId: filters.facilityId } : {},
      filters.modality ? { studies: { some: { study: { OR: modalityMatch(filters.modality) } } } } : {},
    ],
  };
  const [total, rows, facilityRows] = await Promise.all([
    db.referral.count({ where }),
    db.referral.findMany({
      where,
      orderBy,
      skip: (filters.page - 1) * REFERRAL_PAGE_SIZE,
      take: REFERRAL_PAGE_SIZE,
      select: {
        id: true,
        status: true,
        priority: true,
        dueAt: true,
        patientName: true,
        patientId: true,
        question: true,
        facilityId: true,
        reportId: true,
        updatedAt: true,
        ownerId: true,
        targetUserId: true,
        requester: { select: { name: true } },
        owner: { select: { name: true } },
        targetUser: { select: { name: true } },
        targetService: { select: { name: true } },
        studies: { select: { study: { select: { modalities: true } } } },
      },
    }),
    // One row per requesting facility (GROUP BY in the database, not every case brought back)
    db.referral.groupBy({ where: base, by: ['facilityId'] }),
  ]);
  const ids = rows.map((row) => row.id);
  const reads = await db.referralRead.findMany({ where: { userId: principal.userId, referralId: { in: ids } }, select: { referralId: true, readAt: true } });
  const readAt = new Map(reads.map((read) => [read.referralId, read.readAt]));
  const messages = ids.length
    ? await db.referralMessage.findMany({ where: { referralId: { in: ids }, authorId: { not: principal.userId } }, select: { referralId: true, authorId: true, createdAt: true } })
    : [];
  const unread = new Map<string, number>();
  for (const message of messages) {
    if (isUnread(message, principal.userId, readAt.get(message.referralId))) unread.set(message.referralId, (unread.get(message.referralId) ?? 0) + 1);
  }
  const facilityIds = [...new Set([...rows.map((row) => row.facilityId), ...facilityRows.map((row) => row.facilityId)])];
  // A facility of another node (a case received from it) is named with its node: "Clinic (District hospital A)"
  const facilityName = await facilityNames(db, facilityIds);
  return {
    rows: rows.map((row) => ({
      id: row.id,
      status: row.status,
      statusWords: STATUS_WORDS[row.status as ReferralStatus] ?? row.status,
      priority: row.priority,
      dueAt: row.dueAt,
      overdue: isOverdue(row, now),
      claimable: row.status === 'REQUESTED' && row.ownerId === null,
      patientName: row.patientName,
      patientId: row.patientId,
      question: row.question.length > 160 ? `${row.question.slice(0, 157)}…` : row.question,
      modalities: [...new Set(row.studies.flatMap((study) => (study.study?.modalities ?? '').split('\\').filter(Boolean)))],
      requester: { name: row.requester.name, facilityName: facilityName.get(row.facilityId) ?? '' },
      addressee: row.targetService?.name ?? row.targetUser?.name ?? '',
      addressedToMe: row.targetUserId === principal.userId,
      owner: row.owner?.name ?? null,
      unread: unread.get(row.id) ?? 0,
      reportId: row.reportId,
      updatedAt: row.updatedAt,
    })),
    total,
    page: filters.page,
    pageSize: REFERRAL_PAGE_SIZE,
    facilities: facilityRows.map((row) => ({ id: row.facilityId, name: facilityName.get(row.facilityId) ?? '' })),
  };
}

/**
 * A study whose modalities ("\CT\SR\") include this one. Prisma's `contains` is a LIKE
 * whose backslash is literal on SQLite but the escape character on PostgreSQL, so the
 * value is asked both ways: each form matches on one database and never on the other
 * (a modality list holds neither "%" nor a doubled backslash).
 */
function modalityMatch(modality: string): Prisma.StudyWhereInput[] {
  return [{ modalities: { contains: `\\${modality}\\` } }, { modalities: { contains: `\\\\${modality}\\\\` } }];
}

export interface ReferralCounts {
  /** Open cases on my expert side */
  inbox: number;
  /** Of those, not claimed by anyone yet */
  unclaimed: number;
  /** Of those, stat */
  stat: number;
  /** My referrals with news: a question to answer, a signed report to read (not closed) */
  myReferralsNeedingMe: number;
}

/** The header's counts, for every page. */
export async function referralCounts(context: Pick<ReferralContext, 'db'>, userId: string): Promise<ReferralCounts> {
  const { db } = context;
  const base = await inboxWhere(db, userId);
  const open = { AND: [base, { status: { in: [...OPEN_STATUSES] } }] };
  const [inbox, unclaimed, stat, myReferralsNeedingMe] = await Promise.all([
    db.referral.count({ where: open }),
    db.referral.count({ where: { AND: [open, { status: 'REQUESTED' }] } }),
    db.referral.count({ where: { AND: [open, { priority: 'STAT' }] } }),
    db.referral.count({ where: { requesterId: userId, status: { in: ['ON_HOLD', 'COMPLETED', 'DECLINED'] } } }),
  ]);
  return { inbox, unclaimed, stat, myReferralsNeedingMe };
}
