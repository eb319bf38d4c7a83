// The read side of the audit trail: the filters of the audit view and its CSV
// export, parsed from URL search params (so a filtered view is a bookmark),
// turned into ONE Prisma `where` that is always limited to the facilities the
// viewer administers. Bad input gives a message per field, never a 500.
//
// Dates are UTC calendar days, inclusive at both ends ("to=2026-11-22" covers
// that whole day): facilities have no time zone in the model yet, and the
// page shows every time in UTC with a "UTC" label, so what you filter is what
// you read.
import type { AuditEventModel, Database, Prisma } from '../../prisma/database';
import { administeredFacilitiesFor, PolicyError, type AdministeredFacility } from '../policy';
import { actorNamesOf, auditEventView, type AuditEventView } from './audit-view';

/** What the read side needs: the runtime (or any context with the database). */
export interface AuditReadContext {
  db: Database;
}

export const AUDIT_PAGE_SIZE = 50;
/** Offset pagination: a deep page costs a long scan; past this, narrow the filters. */
export const AUDIT_MAX_PAGE = 2000;
/** The CSV export stops here (newest first); the response headers say when it did. */
export const AUDIT_EXPORT_LIMIT = 100_000;
export const AUDIT_OUTCOMES = ['SUCCESS', 'FAILURE', 'DENIED'] as const;

export const AUDIT_FILTER_FIELDS = ['actor', 'patientId', 'studyUid', 'action', 'outcome', 'from', 'to', 'sourceIp', 'facility'] as const;
export type AuditFilterField = (typeof AUDIT_FILTER_FIELDS)[number];

/** The filters as typed (trimmed, '' when absent): what the form shows back. */
export type AuditFilterValues = Record<AuditFilterField, string>;

export interface AuditFilterError {
  field: AuditFilterField | 'page';
  message: string;
}

export interface AuditQuery {
  values: AuditFilterValues;
  page: number;
  /** The facilities in this query: the one asked for, or every one the viewer administers */
  facilities: AdministeredFacility[];
  where: Prisma.AuditEventWhereInput;
}

export type AuditQueryResult =
  | { ok: true; query: AuditQuery; administered: AdministeredFacility[] }
  | { ok: false; errors: AuditFilterError[]; values: AuditFilterValues; administered: AdministeredFacility[] };

type SearchParamsInput = URLSearchParams | Record<string, string | string[] | undefined>;

const MAX_TEXT = 128;
// PS3.5 9.1: UIDs are dot-separated numeric components, at most 64 characters.
const UID = /^[0-9]+(\.[0-9]+)*$/;
// e.g. dicomweb.wado, dimse.c-store, audit.view; a trailing ".*" means the whole family.
const ACTION = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*(\.\*)?$/;
const ADDRESS_PREFIX = /^[0-9A-Fa-f.:]+$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function firstValue(params: SearchParamsInput, name: string): string {
  const value = params instanceof URLSearchParams ? params.get(name) : params[name];
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** Start of a UTC day, or undefined for anything that is not a real YYYY-MM-DD date. */
function utcDay(text: string): Date | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over to March: refuse instead of guessing.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Emails are stored lower-case and AE titles upper-case; SQLite's LIKE folds
 * ASCII case and PostgreSQL's does not (and Prisma's `mode: 'insensitive'` is
 * PostgreSQL-only), so the three spellings are asked for explicitly.
 */
function actorMatches(text: string): Prisma.AuditEventWhereInput {
  const spellings = [...new Set([text, text.toLowerCase(), text.toUpperCase()])];
  return { OR: spellings.map((spelling) => ({ actor: { contains: spelling } })) };
}

/**
 * Parses and checks the filters and builds the `where`. Throws PolicyError
 * NOT_FOUND when the viewer administers no facility (the view does not exist
 * for them) and when the facility asked for is not one they administer
 * (whether it exists or not).
 */
export async function resolveAuditQuery({ db }: AuditReadContext, viewerUserId: string, params: SearchParamsInput): Promise<AuditQueryResult> {
  const administered = await administeredFacilitiesFor(db, viewerUserId);
  if (administered.length === 0) throw new PolicyError('NOT_FOUND', 'not found');

  const values = Object.fromEntries(AUDIT_FILTER_FIELDS.map((field) => [field, firstValue(params, field)])) as AuditFilterValues;
  const errors: AuditFilterError[] = [];
  const conditions: Prisma.AuditEventWhereInput[] = [];

  for (const field of AUDIT_FILTER_FIELDS) {
    if (values[field].length > MAX_TEXT) errors.push({ field, message: `At most ${MAX_TEXT} characters.` });
  }
  const tooLong = new Set(errors.map((error) => error.field));
  const check = (field: AuditFilterField) => values[field] !== '' && !tooLong.has(field);

  if (check('actor')) conditions.push(actorMatches(values.actor));
  if (check('patientId')) conditions.push({ patientId: values.patientId });
  if (check('studyUid')) {
    if (values.studyUid.length <= 64 && UID.test(values.studyUid)) conditions.push({ studyUid: values.studyUid });
    else errors.push({ field: 'studyUid', message: 'A Study Instance UID is digits and dots, at most 64 characters (e.g. 1.2.840.113619.2.1).' });
  }
  if (check('action')) {
    const action = values.action.toLowerCase();
    if (!ACTION.test(action)) {
      errors.push({ field: 'action', message: 'An action looks like dicomweb.wado, or dimse.* for a whole family.' });
    } else if (action.endsWith('.*')) {
      conditions.push({ action: { startsWith: action.slice(0, -1) } });
    } else conditions.push({ action });
  }
  if (check('outcome')) {
    const outcome = values.outcome.toUpperCase();
    if ((AUDIT_OUTCOMES as readonly string[]).includes(outcome)) conditions.push({ outcome });
    else errors.push({ field: 'outcome', message: `The outcome is one of ${AUDIT_OUTCOMES.join(', ')}.` });
  }
  let from: Date | undefined;
  let toExclusive: Date | undefined;
  if (check('from')) {
    from = utcDay(values.from);
    if (!from) errors.push({ field: 'from', message: 'Give a date as YYYY-MM-DD (UTC), e.g. 2026-11-01.' });
  }
  if (check('to')) {
    const to = utcDay(values.to);
    if (!to) errors.push({ field: 'to', message: 'Give a date as YYYY-MM-DD (UTC), e.g. 2026-11-30.' });
    else toExclusive = new Date(to.getTime() + DAY_MS);
  }
  if (from && toExclusive && from >= toExclusive) errors.push({ field: 'to', message: 'The end date is before the start date.' });
  if (from || toExclusive) conditions.push({ at: { ...(from ? { gte: from } : {}), ...(toExclusive ? { lt: toExclusive } : {}) } });
  if (check('sourceIp')) {
    // A prefix, so that "10.1." finds a whole subnet.
    if (ADDRESS_PREFIX.test(values.sourceIp)) conditions.push({ sourceIp: { startsWith: values.sourceIp } });
    else errors.push({ field: 'sourceIp', message: 'An IP address or its beginning, e.g. 10.1.2.3 or 10.1.' });
  }

  let facilities = administered;
  if (check('facility')) {
    const wanted = administered.find((facility) => facility.id === values.facility || facility.code === values.facility);
    // Someone else's facility answers like a missing page, never "not yours".
    if (!wanted) throw new PolicyError('NOT_FOUND', 'not found');
    facilities = [wanted];
  }

  const pageText = firstValue(params, 'page');
  const page = pageText === '' ? 1 : /^\d{1,6}$/.test(pageText) ? Number(pageText) : Number.NaN;
  if (!(page >= 1 && page <= AUDIT_MAX_PAGE)) {
    errors.push({ field: 'page', message: `The page is a whole number from 1 to ${AUDIT_MAX_PAGE}.` });
  }

  if (errors.length) return { ok: false, errors, values, administered };
  // The facility restriction comes first and is never optional.
  const where: Prisma.AuditEventWhereInput = { AND: [await facilityScope(db, facilities), ...conditions] };
  return { ok: true, query: { values, page, facilities, where }, administered };
}

/**
 * The events that belong to these facilities: those recorded in them, and
 * the events of their members that no facility is recorded for — sign-ins,
 * DICOMweb searches across a user's facilities (dicomweb.qido carries no
 * facility) and refused reads. Without the second half an administrator
 * would never see who searched for which patient.
 */
async function facilityScope(db: Database, facilities: AdministeredFacility[]): Promise<Prisma.AuditEventWhereInput> {
  const facilityIds = facilities.map((facility) => facility.id);
  const members = await db.membership.findMany({ where: { facilityId: { in: facilityIds } }, select: { userId: true }, distinct: ['userId'] });
  return {
    OR: [{ facilityId: { in: facilityIds } }, { facilityId: null, actorUserId: { in: members.map((member) => member.userId) } }],
  };
}

/** Newest first; the id breaks ties between events stamped in the same millisecond (group commit). */
export const AUDIT_ORDER: Prisma.AuditEventOrderByWithRelationInput[] = [{ at: 'desc' }, { id: 'desc' }];

/** One AuditEvent row as stored. */
export type AuditEventRow = AuditEventModel;

export interface AuditEventPage {
  events: AuditEventView[];
  total: number;
  page: number;
  pageCount: number;
}

export async function findAuditEventPage({ db }: AuditReadContext, query: AuditQuery): Promise<AuditEventPage> {
  const [total, rows] = await Promise.all([
    db.auditEvent.count({ where: query.where }),
    db.auditEvent.findMany({ where: query.where, orderBy: AUDIT_ORDER, skip: (query.page - 1) * AUDIT_PAGE_SIZE, take: AUDIT_PAGE_SIZE }),
  ]);
  const names = await actorNamesOf(db, rows);
  return { events: rows.map((row) => auditEventView(row, names)), total, page: query.page, pageCount: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
}

export function countAuditEvents({ db }: AuditReadContext, query: AuditQuery): Promise<number> {
  return db.auditEvent.count({ where: query.where });
}

/**
 * Every matching event, newest first, read in batches by keyset (at, id) so
 * that a large export neither loads everything at once nor pays for deep
 * offsets. Stops after `limit` events.
 */
export async function* streamAuditEvents({ db }: AuditReadContext, query: AuditQuery, limit: number, batchSize = 1000): AsyncGenerator<AuditEventView> {
  let after: { at: Date; id: string } | undefined;
  const names = new Map<string, string>();
  let sent = 0;
  while (sent < limit) {
    const where: Prisma.AuditEventWhereInput = after
      ? { AND: [query.where, { OR: [{ at: { lt: after.at } }, { at: after.at, id: { lt: after.id } }] }] }
      : query.where;
    const batch = await db.auditEvent.findMany({ where, orderBy: AUDIT_ORDER, take: Math.min(batchSize, limit - sent) });
    await actorNamesOf(db, batch, names);
    for (const event of batch) yield auditEventView(event, names);
    sent += batch.length;
    if (batch.length < batchSize) return;
    const last = batch[batch.length - 1];
    after = { at: last.at, id: last.id };
  }
}

/** The filters in use, as a query string (for links: pages, export, bookmarks). */
export function auditQueryString(values: AuditFilterValues, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const field of AUDIT_FILTER_FIELDS) if (values[field]) params.set(field, values[field]);
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}

/** "AE:CT1" → "CT1": DIMSE peers are recorded by their calling AE title. */
export function aeTitleOf(actor: string): string {
  return actor.startsWith('AE:') ? actor.slice(3) : '';
}

/** A short, readable line from the details JSON (the full JSON is in the export). */
export function summarizeDetails(details: string, maxLength = 140): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details.slice(0, maxLength);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return '';
  const text = Object.entries(parsed as Record<string, unknown>)
    // The DICOM event ID is shown with the action already
    .filter(([key]) => key !== 'eventId')
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}
