// The lists of notices (issue 17):
// - the emergency board of one service the reader receives for: open notices by ETA (and
//   those closed in the last 12 hours), with the condition, vitals, onset, the images'
//   state and who acknowledged or accepted;
// - "Sent": the notices the reader's sending team sent (open first, then the last day's);
// - the alarms: the open, unacknowledged notices of the services the reader is a member of,
//   and escalated ones for a facility's admins (the alarm every portal page rings on load).
// A service the reader does not receive for is NOT_FOUND.
import { DomainError } from '../errors';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { receivingServicesOf } from '../policy/transfer-access';
import { ARRIVING_WINDOW_MS } from './get-transfer';
import { facilityNames, peopleNames } from '../federation/remote-names';
import { noticeArrivals } from '../federation/notices/link-notice-arrivals';
import type { TransferContext } from './transfer-types';
import { conditionWords, OPEN_TRANSFER_STATUSES, TRANSFER_STATUS_WORDS, vitalsWords, type TransferStatus, type Vitals } from './transfer-words';

const CLOSED_WINDOW_MS = 12 * 3_600_000;
const LIST_LIMIT = 100;

export interface TransferRow {
  id: string;
  status: TransferStatus;
  statusWords: string;
  condition: string;
  conditionWords: string;
  suspectedDiagnosis: string;
  patient: { patientId: string; name: string; unidentified: boolean };
  from: string;
  to: { serviceId: string; name: string };
  vitals: string;
  onsetAt: Date | null;
  onsetIsLastKnownWell: boolean;
  etaAt: Date;
  sentAt: Date;
  alarmSince: Date;
  escalatedAt: Date | null;
  acknowledgedBy: string | null;
  acceptedBy: string | null;
  arrivedAt: Date | null;
  /** NONE: no study yet; ARRIVING: images came in within the last minute; HERE */
  images: { studies: number; instances: number; state: 'NONE' | 'ARRIVING' | 'HERE' };
  messages: number;
  /** A notice from another node whose images are still on their way: "arriving 120/500" (null otherwise) */
  arriving: string | null;
}

export interface TransferBoard {
  services: { id: string; name: string; facilityName: string }[];
  serviceId: string | null;
  open: TransferRow[];
  closed: TransferRow[];
}

export async function transferBoard(context: TransferContext, principal: Principal, serviceId: string | undefined, now = new Date()): Promise<TransferBoard> {
  const { db } = context;
  const ids = await receivingServicesOf(db, principal.userId);
  const services = (await db.service.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, facility: { select: { name: true } } }, orderBy: [{ name: 'asc' }] })).map((row) => ({ id: row.id, name: row.name, facilityName: row.facility.name }));
  if (serviceId && !ids.includes(serviceId)) throw new PolicyError('NOT_FOUND', 'not a service the reader receives for');
  const chosen = serviceId ?? services[0]?.id ?? null;
  if (!chosen) return { services, serviceId: null, open: [], closed: [] };
  const [open, closed] = await Promise.all([
    rowsOf(context, { targetServiceId: chosen, status: { in: [...OPEN_TRANSFER_STATUSES] } }, [{ etaAt: 'asc' }], now),
    rowsOf(context, { targetServiceId: chosen, status: { notIn: [...OPEN_TRANSFER_STATUSES] }, updatedAt: { gte: new Date(now.getTime() - CLOSED_WINDOW_MS) } }, [{ updatedAt: 'desc' }], now),
  ]);
  return { services, serviceId: chosen, open, closed };
}

/** The notices the reader's sending team sent: the reader's own, and their EMERGENCY facilities' */
export async function sentTransfers(context: TransferContext, principal: Principal, now = new Date()): Promise<{ open: TransferRow[]; closed: TransferRow[] }> {
  const team = await context.db.membership.findMany({ where: { userId: principal.userId, role: 'EMERGENCY', user: { disabled: false }, facility: { disabledAt: null } }, select: { facilityId: true } });
  const mine = { OR: [{ senderId: principal.userId }, ...(team.length ? [{ sendingFacilityId: { in: team.map((row) => row.facilityId) } }] : [])] };
  const [open, closed] = await Promise.all([
    rowsOf(context, { ...mine, status: { in: [...OPEN_TRANSFER_STATUSES] } }, [{ etaAt: 'asc' }], now),
    rowsOf(context, { ...mine, status: { notIn: [...OPEN_TRANSFER_STATUSES] }, updatedAt: { gte: new Date(now.getTime() - 2 * CLOSED_WINDOW_MS) } }, [{ updatedAt: 'desc' }], now),
  ]);
  return { open, closed };
}

/**
 * The alarms ringing for the reader now, as their pages ring them in real time: the
 * unacknowledged notices of the services they are a member of, and the escalated ones of the
 * facilities they administer.
 */
export async function ringingTransfers(context: TransferContext, principal: Principal, now = new Date()): Promise<TransferRow[]> {
  const { db } = context;
  const [memberOf, adminOf] = await Promise.all([
    db.serviceMember.findMany({ where: { userId: principal.userId, user: { disabled: false }, service: { disabledAt: null, facility: { disabledAt: null } } }, select: { serviceId: true, service: { select: { facilityId: true } } } }),
    db.membership.findMany({ where: { userId: principal.userId, role: 'ADMIN', user: { disabled: false }, facility: { disabledAt: null } }, select: { facilityId: true } }),
  ]);
  const facilities = new Set((await db.membership.findMany({ where: { userId: principal.userId }, select: { facilityId: true } })).map((row) => row.facilityId));
  const services = memberOf.filter((row) => facilities.has(row.service.facilityId)).map((row) => row.serviceId);
  if (!services.length && !adminOf.length) return [];
  const where = {
    status: 'SENT',
    OR: [
      ...(services.length ? [{ targetServiceId: { in: services } }] : []),
      ...(adminOf.length ? [{ targetFacilityId: { in: adminOf.map((row) => row.facilityId) }, escalatedAt: { not: null } }] : []),
    ],
  };
  return rowsOf(context, where, [{ alarmSince: 'asc' }], now);
}

/** An unknown box */
export function unknownBox(): DomainError {
  return new DomainError('INVALID_INPUT', 'unknown box', { userMessage: 'Choose board, sent or alarms.', fields: { box: 'Choose board, sent or alarms' } });
}

type Where = NonNullable<Parameters<TransferContext['db']['transferNotice']['findMany']>[0]>['where'];
type OrderBy = NonNullable<Parameters<TransferContext['db']['transferNotice']['findMany']>[0]>['orderBy'];

export async function rowsOf(context: TransferContext, where: Where, orderBy: OrderBy, now: Date): Promise<TransferRow[]> {
  const { db } = context;
  const notices = await db.transferNotice.findMany({ where, orderBy, take: LIST_LIMIT, include: { studies: { select: { studyRef: true } }, _count: { select: { messages: true } } } });
  if (!notices.length) return [];
  const studyIds = notices.flatMap((notice) => notice.studies.map((study) => study.studyRef)).filter((id): id is string => id !== null);
  const [studies, services, facilities, users] = await Promise.all([
    db.study.findMany({ where: { id: { in: studyIds } }, select: { id: true, numberOfInstances: true, updatedAt: true } }),
    db.service.findMany({ where: { id: { in: [...new Set(notices.map((notice) => notice.targetServiceId))] } }, select: { id: true, name: true, facility: { select: { name: true } } } }),
    facilityNames(db, notices.map((notice) => notice.sendingFacilityId)),
    peopleNames(db, notices.flatMap((notice) => [notice.acknowledgedById, notice.acceptedById])),
  ]);
  const arrivals = new Map(await Promise.all(notices.filter((notice) => notice.peerId).map(async (notice) => [notice.id, await noticeArrivals(db, notice)] as const)));
  const studyOf = new Map(studies.map((study) => [study.id, study]));
  const serviceOf = new Map(services.map((service) => [service.id, `${service.name}, ${service.facility.name}`]));
  const facilityOf = facilities;
  const userOf = users;
  return notices.map((notice) => {
    const copies = notice.studies.map((study) => (study.studyRef ? studyOf.get(study.studyRef) : undefined)).filter((copy) => copy !== undefined);
    const arriving = copies.some((copy) => now.getTime() - copy.updatedAt.getTime() < ARRIVING_WINDOW_MS);
    let vitals: Vitals = {};
    try {
      vitals = JSON.parse(notice.vitals) as Vitals;
    } catch {
      vitals = {};
    }
    return {
      id: notice.id,
      status: notice.status as TransferStatus,
      statusWords: TRANSFER_STATUS_WORDS[notice.status as TransferStatus] ?? notice.status,
      condition: notice.condition,
      conditionWords: conditionWords(notice.condition),
      suspectedDiagnosis: notice.suspectedDiagnosis,
      patient: { patientId: notice.patientId, name: notice.patientName, unidentified: notice.unidentified },
      from: facilityOf.get(notice.sendingFacilityId) ?? '',
      to: { serviceId: notice.targetServiceId, name: serviceOf.get(notice.targetServiceId) ?? '' },
      vitals: vitalsWords(vitals),
      onsetAt: notice.onsetAt,
      onsetIsLastKnownWell: notice.onsetIsLastKnownWell,
      etaAt: notice.etaAt,
      sentAt: notice.sentAt,
      alarmSince: notice.alarmSince,
      escalatedAt: notice.escalatedAt,
      acknowledgedBy: notice.acknowledgedById ? (userOf.get(notice.acknowledgedById) ?? '') : null,
      acceptedBy: notice.acceptedById ? (userOf.get(notice.acceptedById) ?? '') : null,
      arrivedAt: notice.arrivedAt,
      images: { studies: copies.length, instances: copies.reduce((sum, copy) => sum + copy.numberOfInstances, 0), state: !copies.length ? 'NONE' : arriving ? 'ARRIVING' : 'HERE' },
      messages: notice._count.messages,
      arriving: (arrivals.get(notice.id) ?? []).filter((arrival) => arrival.status !== 'DONE').map((arrival) => arrival.words).join(', ') || null,
    };
  });
}
