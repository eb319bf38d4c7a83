// The worklist search: what a clinician types into the worklist form (MRN,
// name, sex, age, birth date, modality, study dates, accession, description,
// referring physician, facility) → one index query, sorted and paginated on
// the server, never opening a file.
//
// The DICOM-like keys reuse the archive's own matching (pacs-core/index:
// the same code as QIDO-RS and C-FIND), so "müller hans" finds MÜLLER^HANS
// here exactly as it does in OHIF or a findscu; the MRN alone also matches
// part of the number (mrnPattern). Description is a
// case-insensitive "contains", which is what a person typing expects. The
// access scope (lib/policy) is always the first condition.
import type { AccessScope } from '../../pacs-core/access';
import { ArchiveError } from '../../pacs-core/errors';
import { escapeLike, queryConditions } from '../../pacs-core/index/match-sql';
import { resolveAttribute } from '../../pacs-core/index/query-attributes';
import { attributeMatch, type AttributeMatch, type IndexQuery } from '../../pacs-core/index/query-model';
import { matchesOnPatient, scopeCondition, toNumber, whereClause } from '../../pacs-core/index/search-support';
import { Prisma, type Database } from '../../prisma/database';
import type { ReportReaderScope } from '../policy/report-access';
import { isReportFilter, pageReports, reportFilterCondition, type RowReport } from './worklist-reports';

export const WORKLIST_FIELDS = [
  'mrn',
  'issuer',
  'name',
  'sex',
  'ageFrom',
  'ageTo',
  'birthDate',
  'modality',
  'dateFrom',
  'dateTo',
  'accession',
  'description',
  'referring',
  'facility',
  'report',
] as const;
export type WorklistField = (typeof WORKLIST_FIELDS)[number];
export type WorklistFilters = Partial<Record<WorklistField, string>>;

export const WORKLIST_SORTS = ['date', 'name', 'patientId', 'accession', 'modality'] as const;
export type WorklistSort = (typeof WORKLIST_SORTS)[number];
export const PAGE_SIZES = [25, 50, 100] as const;
const MAX_PAGE = 10_000;

export interface WorklistRequest {
  filters: WorklistFilters;
  sort: WorklistSort;
  direction: 'asc' | 'desc';
  page: number;
  pageSize: number;
}

export interface ParsedWorklistRequest {
  request: WorklistRequest;
  /** Per field, what is wrong with it; the search does not run while any is present */
  errors: Partial<Record<WorklistField, string>>;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MODALITY = /^[A-Z0-9]{1,16}$/;

function validIsoDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** YYYY-MM-DD (an HTML date input) → DICOM DA */
function toDa(value: string): string {
  return value.replaceAll('-', '');
}

/** Reads the worklist form from a URL's query; unknown parameters are ignored. */
export function parseWorklistRequest(params: URLSearchParams): ParsedWorklistRequest {
  const filters: WorklistFilters = {};
  const errors: ParsedWorklistRequest['errors'] = {};
  for (const field of WORKLIST_FIELDS) {
    const value = params.get(field)?.trim();
    if (value) filters[field] = value.slice(0, 128);
  }
  if (filters.sex) {
    filters.sex = filters.sex.toUpperCase();
    if (!['M', 'F', 'O'].includes(filters.sex)) errors.sex = 'Choose M, F or O.';
  }
  for (const field of ['ageFrom', 'ageTo'] as const) {
    const value = filters[field];
    if (value !== undefined && !(/^\d{1,3}$/.test(value) && Number(value) <= 150)) errors[field] = 'An age in whole years, 0 to 150.';
  }
  if (!errors.ageFrom && !errors.ageTo && filters.ageFrom && filters.ageTo && Number(filters.ageFrom) > Number(filters.ageTo)) {
    errors.ageTo = 'The upper age is below the lower one.';
  }
  for (const field of ['birthDate', 'dateFrom', 'dateTo'] as const) {
    const value = filters[field];
    if (value !== undefined && !validIsoDate(value)) errors[field] = 'A date as YYYY-MM-DD.';
  }
  if (!errors.dateFrom && !errors.dateTo && filters.dateFrom && filters.dateTo && filters.dateFrom > filters.dateTo) {
    errors.dateTo = 'The end date is before the start date.';
  }
  if (filters.report) {
    filters.report = filters.report.toLowerCase();
    if (!isReportFilter(filters.report)) errors.report = 'Choose unreported, draft, preliminary, final or amended.';
  }
  if (filters.modality) {
    filters.modality = filters.modality.toUpperCase();
    if (!MODALITY.test(filters.modality)) errors.modality = 'A modality code such as CT, MR or US.';
  }

  // The form's Order (newest/oldest first) is the date sort in that direction, whatever sort the URL had
  const order = params.get('order');
  const ordered = order === 'oldest' ? 'asc' : order === 'newest' ? 'desc' : null;
  const sortParam = ordered ? 'date' : (params.get('sort') ?? '');
  const sort = (WORKLIST_SORTS as readonly string[]).includes(sortParam) ? (sortParam as WorklistSort) : 'date';
  const directionParam = ordered ?? params.get('dir');
  const direction = directionParam === 'asc' || directionParam === 'desc' ? directionParam : sort === 'date' ? 'desc' : 'asc';
  const pageParam = Number(params.get('page') ?? '1');
  const page = Number.isInteger(pageParam) && pageParam >= 1 ? Math.min(pageParam, MAX_PAGE) : 1;
  const sizeParam = Number(params.get('pageSize') ?? PAGE_SIZES[0]);
  const pageSize = (PAGE_SIZES as readonly number[]).includes(sizeParam) ? sizeParam : PAGE_SIZES[0];
  return { request: { filters, sort, direction, page, pageSize }, errors };
}

/**
 * The MRN box as a PatientID pattern. A person types part of the number
 * ("4471203" for "MRN-4471203", or its last digits), so without a wildcard
 * it matches anywhere in the ID: `*4471203*` (PS3.4 C.2.2.2.4 wildcard
 * matching, case-insensitive here like every wildcard of the archive).
 * Typed `*` or `?` (or `\\`, a list of IDs) are used as typed. Only this form does this: QIDO-RS and
 * C-FIND keep single-value (exact) PatientID matching for DICOM clients.
 * Cost: a leading `*` cannot use the PatientID index; the scan is over the
 * patients of the studies in the caller's scope (bench/worklist-100k.ts).
 */
export function mrnPattern(typed: string): string {
  return /[*?\\]/.test(typed) ? typed : `*${typed}*`;
}

/** The DICOM-like keys as the archive's own query model (study level). */
export function toIndexQuery(filters: WorklistFilters): IndexQuery {
  const matches = new Map<string, AttributeMatch>();
  const add = (keyword: string, raw: string | undefined) => {
    if (!raw) return;
    const attribute = resolveAttribute(keyword);
    matches.set(attribute.tag, attributeMatch('study', attribute, raw));
  };
  add('PatientID', filters.mrn && mrnPattern(filters.mrn));
  add('IssuerOfPatientID', filters.issuer);
  add('PatientName', filters.name);
  add('PatientSex', filters.sex);
  add('PatientBirthDate', filters.birthDate && toDa(filters.birthDate));
  if (filters.ageFrom || filters.ageTo) {
    const age = (years: string | undefined) => (years === undefined ? '' : `${years.padStart(3, '0')}Y`);
    add('PatientAge', `${age(filters.ageFrom)}-${age(filters.ageTo)}`);
  }
  add('ModalitiesInStudy', filters.modality);
  if (filters.dateFrom || filters.dateTo) add('StudyDate', `${filters.dateFrom ? toDa(filters.dateFrom) : ''}-${filters.dateTo ? toDa(filters.dateTo) : ''}`);
  add('AccessionNumber', filters.accession);
  add('ReferringPhysicianName', filters.referring);
  // Names: every word a prefix of some name word, any order (PS3.18 fuzzymatching)
  return { level: 'study', matches, includeFields: [], fuzzyMatching: true, limit: null, offset: 0 };
}

export interface WorklistRow {
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  description: string;
  modalities: string[];
  referringPhysician: string;
  numberOfSeries: number;
  numberOfInstances: number;
  patient: { id: string; patientId: string; issuer: string; name: string; sex: string; birthDate: string };
  facility: { id: string; code: string; name: string };
  /** The study's report as the viewer may see it (worklist-reports.ts); null: none shown */
  report: RowReport | null;
}

export interface WorklistResult {
  rows: WorklistRow[];
  total: number;
  page: number;
  pageCount: number;
}

const ORDER: Record<WorklistSort, (direction: Prisma.Sql) => Prisma.Sql> = {
  date: (d) => Prisma.sql`"Study"."studyDate" ${d}, "Study"."studyTime" ${d}, "Study"."id" ${d}`,
  name: (d) => Prisma.sql`"Patient"."nameSearch" ${d}, "Study"."studyDate" DESC, "Study"."id" DESC`,
  patientId: (d) => Prisma.sql`"Patient"."patientId" ${d}, "Study"."studyDate" DESC, "Study"."id" DESC`,
  accession: (d) => Prisma.sql`"Study"."accessionNumber" ${d}, "Study"."id" DESC`,
  modality: (d) => Prisma.sql`"Study"."modalities" ${d}, "Study"."studyDate" DESC, "Study"."id" DESC`,
};

interface RawRow {
  studyId: string;
  studyFacilityId: string;
  studyInstanceUid: string;
  studyDate: string;
  studyTime: string;
  accessionNumber: string;
  description: string;
  modalities: string;
  referringPhysician: string;
  numberOfSeries: unknown;
  numberOfInstances: unknown;
  patientRef: string;
  patientId: string;
  issuer: string;
  patientName: string;
  sex: string;
  birthDate: string;
  facilityCode: string;
  facilityName: string;
}

/**
 * One page of the studies the scope lets the caller see that match the
 * filters, with the total count. Throws ArchiveError('BAD_REQUEST') for a
 * value the matching code refuses (its message is fit to show).
 */
export async function searchWorklist(
  db: Database,
  scope: AccessScope,
  request: WorklistRequest,
  today: Date = new Date(),
  /** Who reads which reports (lib/policy): without it the Report column is empty and a report filter finds nothing */
  reportScope?: ReportReaderScope,
): Promise<WorklistResult> {
  const scopeSql = scopeCondition(scope);
  if (!scopeSql) return { rows: [], total: 0, page: 1, pageCount: 0 };
  const { filters } = request;
  const indexQuery = toIndexQuery(filters);
  const conditions = [scopeSql, ...queryConditions(indexQuery, today)];
  if (filters.description) {
    conditions.push(Prisma.sql`UPPER("Study"."description") LIKE ${`%${escapeLike(filters.description.toUpperCase())}%`} ESCAPE '\\'`);
  }
  if (filters.facility) {
    const facility = await db.facility.findUnique({ where: { code: filters.facility }, select: { id: true } });
    conditions.push(Prisma.sql`"Study"."facilityId" = ${facility?.id ?? ''}`);
  }
  if (filters.report && isReportFilter(filters.report)) {
    conditions.push(reportScope ? reportFilterCondition(filters.report, reportScope) : Prisma.sql`1 = 0`);
  }
  const where = whereClause(conditions);
  // The count joins Patient only when a patient column is matched: on 100k
  // studies the joins made the unfiltered count ~10× slower (bench/worklist-100k.ts).
  const patientJoin = Prisma.sql`JOIN "Patient" ON "Patient"."id" = "Study"."patientRef"`;
  const [{ count }] = await db.$queryRaw<{ count: unknown }[]>`
    SELECT COUNT(*) AS "count" FROM "Study" ${matchesOnPatient(indexQuery) ? patientJoin : Prisma.empty} ${where}`;
  const total = toNumber(count);
  const pageCount = Math.ceil(total / request.pageSize);
  const page = Math.max(1, Math.min(request.page, pageCount || 1));
  const direction = Prisma.raw(request.direction === 'asc' ? 'ASC' : 'DESC');
  // The page's ids first, from Study alone (Patient joined only when a filter
  // or the sort needs it), then the 25 rows' patient and facility: with the
  // three joins in one query SQLite sometimes walked all patients first
  // (76 ms instead of 1 ms on 100k studies, bench/worklist-100k.ts).
  const needsPatient = matchesOnPatient(indexQuery) || request.sort === 'name' || request.sort === 'patientId';
  const order = ORDER[request.sort](direction);
  const rows = await db.$queryRaw<RawRow[]>`
    SELECT "Study"."studyInstanceUid", "Study"."studyDate", "Study"."studyTime", "Study"."accessionNumber",
      "Study"."description", "Study"."modalities", "Study"."referringPhysician",
      "Study"."numberOfSeries", "Study"."numberOfInstances",
      "Patient"."id" AS "patientRef", "Patient"."patientId", "Patient"."issuer", "Patient"."name" AS "patientName",
      "Patient"."sex", "Patient"."birthDate", "Facility"."code" AS "facilityCode", "Facility"."name" AS "facilityName"
      , "Study"."id" AS "studyId", "Study"."facilityId" AS "studyFacilityId"
    FROM (
      SELECT "Study"."id" AS "pageId" FROM "Study" ${needsPatient ? patientJoin : Prisma.empty}
      ${where}
      ORDER BY ${order}
      LIMIT ${request.pageSize} OFFSET ${(page - 1) * request.pageSize}
    ) AS "Page"
    JOIN "Study" ON "Study"."id" = "Page"."pageId"
    ${patientJoin} JOIN "Facility" ON "Facility"."id" = "Study"."facilityId"
    ORDER BY ${order}`;
  const reports = await pageReports(db, reportScope, rows.map((row) => ({ id: row.studyId, facilityId: row.studyFacilityId })));
  return {
    total,
    page,
    pageCount,
    rows: rows.map((row) => ({
      studyInstanceUid: row.studyInstanceUid,
      studyDate: row.studyDate,
      studyTime: row.studyTime,
      accessionNumber: row.accessionNumber,
      description: row.description,
      modalities: row.modalities.split('\\').filter(Boolean),
      referringPhysician: row.referringPhysician,
      numberOfSeries: toNumber(row.numberOfSeries),
      numberOfInstances: toNumber(row.numberOfInstances),
      patient: { id: row.patientRef, patientId: row.patientId, issuer: row.issuer, name: row.patientName, sex: row.sex, birthDate: row.birthDate },
      facility: { id: row.studyFacilityId, code: row.facilityCode, name: row.facilityName },
      report: reports.get(row.studyId) ?? null,
    })),
  };
}

/** Whether an error of searchWorklist is the user's input (show it) rather than ours. */
export function isSearchInputError(error: unknown): error is ArchiveError {
  return error instanceof ArchiveError && error.code === 'BAD_REQUEST';
}
