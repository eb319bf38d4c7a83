// The worklist's "Scheduled — not yet imaged" rows: the imaging orders
// (scheduled procedure steps from the RIS, lib/hl7/orders) of the facilities
// the reader belongs to that are SCHEDULED or IN_PROGRESS, soonest first.
// Orders are a facility's own business: a grant on one study (a
// teleconsultation, a referral) opens no orders. The worklist form's filters
// apply where an order has the field — MRN, name, sex, birth date, modality,
// accession, the study dates (as the scheduled date), procedure (Description),
// referring physician, facility; an age range or a report filter asks about
// studies, so no order is shown then. Without dates, orders scheduled from
// SCHEDULED_LOOKBACK_DAYS ago on (and undated ones) are shown: an order the
// RIS never closed does not stay on top for ever.
import type { AccessScope } from '../../pacs-core/access';
import { normalizeForSearch, personNameSearchKey } from '../../pacs-core/dicom/normalize';
import type { Database } from '../../prisma/database';
import { withoutStudyGrants } from '../policy/read-scope';
import type { WorklistFilters } from '../search/worklist';
import { ORDER_PROCEDURE_FIELDS, procedureOf } from './order-procedure';

export const SCHEDULED_LOOKBACK_DAYS = 7;
export const SCHEDULED_SHOWN = 50;
// Candidates read before the name / MRN / accession patterns are matched here
const CANDIDATES = 1000;
const OPEN_STATUSES = ['SCHEDULED', 'IN_PROGRESS'];

export interface ScheduledOrderRow {
  id: string;
  status: 'SCHEDULED' | 'IN_PROGRESS';
  accessionNumber: string;
  procedure: string;
  modality: string;
  stationAet: string;
  stationName: string;
  /** YYYYMMDD and HHMMSS, '' when the RIS gave none */
  scheduledDate: string;
  scheduledTime: string;
  priority: string;
  patient: { id: string; patientId: string; issuer: string; name: string };
  facility: { id: string; code: string };
}

export interface ScheduledOrders {
  rows: ScheduledOrderRow[];
  /** All that match (rows holds the first SCHEDULED_SHOWN) */
  total: number;
  /** YYYYMMDD the default window starts at; null when the form's dates were used */
  since: string | null;
}

export async function listScheduledOrders(db: Database, scope: AccessScope, filters: WorklistFilters, today: Date = new Date()): Promise<ScheduledOrders | null> {
  if (filters.report || filters.ageFrom || filters.ageTo) return null;
  const facilities = withoutStudyGrants(scope);
  if (facilities.kind === 'facilities' && facilities.facilityIds.length === 0) return { rows: [], total: 0, since: null };
  const da = (iso: string) => iso.replaceAll('-', '');
  const since = filters.dateFrom || filters.dateTo ? null : da(new Date(today.getTime() - SCHEDULED_LOOKBACK_DAYS * 86_400_000).toISOString().slice(0, 10));
  const dateWhere = since
    ? { OR: [{ scheduledDate: { gte: since } }, { scheduledDate: '' }] }
    : { scheduledDate: { ...(filters.dateFrom ? { gte: da(filters.dateFrom) } : {}), ...(filters.dateTo ? { lte: da(filters.dateTo) } : {}) } };
  const candidates = await db.imagingOrder.findMany({
    where: {
      status: { in: OPEN_STATUSES },
      ...(facilities.kind === 'facilities' ? { facilityId: { in: [...facilities.facilityIds] } } : {}),
      ...(filters.modality ? { modality: filters.modality } : {}),
      ...(filters.sex || filters.birthDate ? { patient: { ...(filters.sex ? { sex: filters.sex } : {}), ...(filters.birthDate ? { birthDate: da(filters.birthDate) } : {}) } } : {}),
      AND: [dateWhere],
    },
    orderBy: [{ scheduledDate: 'asc' }, { scheduledTime: 'asc' }, { id: 'asc' }],
    take: CANDIDATES,
    select: {
      id: true,
      status: true,
      accessionNumber: true,
      ...ORDER_PROCEDURE_FIELDS,
      modality: true,
      stationAet: true,
      stationName: true,
      scheduledDate: true,
      scheduledTime: true,
      priority: true,
      referringPhysician: true,
      facilityId: true,
      patient: { select: { id: true, patientId: true, issuer: true, name: true } },
    },
  });
  const facilityRows = await db.facility.findMany({ where: { id: { in: [...new Set(candidates.map((order) => order.facilityId))] } }, select: { id: true, code: true } });
  const codeOf = new Map(facilityRows.map((facility) => [facility.id, facility.code]));
  const matches = candidates.filter(
    (order) =>
      (!filters.facility || codeOf.get(order.facilityId) === filters.facility) &&
      (!filters.mrn || wildcard(filters.mrn, /[*?]/.test(filters.mrn) ? 'whole' : 'anywhere').test(order.patient.patientId)) &&
      (!filters.issuer || order.patient.issuer === filters.issuer) &&
      (!filters.accession || wildcard(filters.accession, 'whole').test(order.accessionNumber)) &&
      (!filters.name || nameMatches(filters.name, order.patient.name)) &&
      (!filters.referring || nameMatches(filters.referring, order.referringPhysician)) &&
      (!filters.description || `${order.requestedProcedureText} ${order.stepDescription}`.toUpperCase().includes(filters.description.toUpperCase())),
  );
  return {
    total: matches.length,
    since,
    rows: matches.slice(0, SCHEDULED_SHOWN).map((order) => ({
      id: order.id,
      status: order.status === 'IN_PROGRESS' ? 'IN_PROGRESS' : 'SCHEDULED',
      accessionNumber: order.accessionNumber,
      procedure: procedureOf(order),
      modality: order.modality,
      stationAet: order.stationAet,
      stationName: order.stationName,
      scheduledDate: order.scheduledDate,
      scheduledTime: order.scheduledTime,
      priority: order.priority,
      patient: order.patient,
      facility: { id: order.facilityId, code: codeOf.get(order.facilityId) ?? '' },
    })),
  };
}

/** `*` any characters, `?` one (PS3.4 C.2.2.2.4), case-insensitive. */
function wildcard(typed: string, where: 'whole' | 'anywhere'): RegExp {
  const body = typed
    .split('')
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(where === 'whole' ? `^${body}$` : body, 'i');
}

/** As the study search matches names: every typed word begins some word of the name, in any order, accents and case aside. */
function nameMatches(typed: string, pn: string): boolean {
  const words = personNameSearchKey(pn).split(' ');
  return normalizeForSearch(typed)
    .split(' ')
    .filter(Boolean)
    .every((token) => {
      const pattern = wildcard(token.endsWith('*') ? token : `${token}*`, 'whole');
      return words.some((word) => pattern.test(word));
    });
}
