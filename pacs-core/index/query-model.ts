// The transport-independent query: what QIDO-RS parses from a URL and what
// C-FIND (issue 3) builds from an identifier. findStudies/findSeries/
// findInstances take only this, so both doors match exactly alike.
import { ArchiveError } from '../errors';
import { matchableColumn, type QueryAttribute, type QueryLevel } from './query-attributes';

/** PS3.4 C.2.2.2: the kinds of matching a key can ask for. */
export type MatchSpec =
  /** C.2.2.2.3: empty value — no constraint, return the attribute */
  | { kind: 'universal' }
  /** C.2.2.2.1 */
  | { kind: 'single'; value: string }
  /** C.2.2.2.4: value with * and/or ? */
  | { kind: 'wildcard'; pattern: string }
  /** C.2.2.2.2 UID list; also a multi-valued ModalitiesInStudy (any of them) */
  | { kind: 'list'; values: string[] }
  /** C.2.2.2.5: inclusive range, an open end is null (DA, TM, DT; AS for PatientAge) */
  | { kind: 'range'; from: string | null; to: string | null };

export interface AttributeMatch extends QueryAttribute {
  match: MatchSpec;
}

export interface IndexQuery {
  level: QueryLevel;
  /** Query keys by tag. Universal matches only ask for the attribute to be returned. */
  matches: Map<string, AttributeMatch>;
  /** Extra attributes to return (PS3.18 8.3.4.3); 'all' = everything stored for the level */
  includeFields: QueryAttribute[] | 'all';
  /** PS3.18 8.3.4.1 fuzzymatching: on PN keys, word-prefix matching in any order */
  fuzzyMatching: boolean;
  /** null = up to the server's maximum */
  limit: number | null;
  offset: number;
}

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const DATETIME = /^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?)?)?)?([+-]\d{4})?$/;
const AGE = /^\d{3}[DWMY]$/;
const UID = /^[0-9]+(\.[0-9]+)*$/;

function bad(message: string): never {
  throw new ArchiveError('BAD_REQUEST', message);
}

function isValidDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(4, 6));
  const day = Number(value.slice(6, 8));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function checkRangeBound(attribute: QueryAttribute, bound: string): void {
  const ok =
    attribute.vr === 'DA'
      ? DATE.test(bound) && isValidDate(bound)
      : attribute.vr === 'TM'
        ? TIME.test(bound)
        : attribute.vr === 'DT'
          ? DATETIME.test(bound)
          : attribute.vr === 'AS' && AGE.test(bound);
  if (!ok) {
    const format = { DA: 'YYYYMMDD', TM: 'HHMMSS.FFFFFF', DT: 'YYYYMMDDHHMMSS.FFFFFF&ZZXX', AS: 'nnnD|W|M|Y' }[attribute.vr] ?? attribute.vr;
    bad(`${attribute.keyword}: "${bound}" is not a valid ${attribute.vr} value (${format})`);
  }
}

/** AS values compare by their length in days (approximate units are fine for ordering). */
function ageInDays(age: string): number {
  const n = Number(age.slice(0, 3));
  return n * { D: 1, W: 7, M: 30, Y: 365 }[age[3] as 'D' | 'W' | 'M' | 'Y'];
}

function parseRange(attribute: QueryAttribute, value: string): MatchSpec {
  const parts = value.split('-');
  // DT bounds may carry a "-ZZXX" UTC offset, which would add dashes; we keep DT
  // ranges to offset-free values rather than guess which dash splits the range.
  if (parts.length !== 2) bad(`${attribute.keyword}: "${value}" is not a range (from-to, -to or from-)`);
  const [from, to] = parts.map((part) => part.trim());
  if (!from && !to) bad(`${attribute.keyword}: a range needs at least one end`);
  if (from) checkRangeBound(attribute, from);
  if (to) checkRangeBound(attribute, to);
  if (from && to) {
    const reversed = attribute.vr === 'AS' ? ageInDays(from) > ageInDays(to) : from > to;
    if (reversed) bad(`${attribute.keyword}: range start ${from} is after its end ${to}`);
  }
  return { kind: 'range', from: from || null, to: to || null };
}

/**
 * Turns one query key value into a match (PS3.4 C.2.2.2), validated against
 * the VR and the level. Throws BAD_REQUEST with the reason.
 *
 * QIDO-RS passes the URL value as is; C-FIND passes the identifier's value with
 * multiple values joined by "\" (the DICOM value delimiter).
 */
export function parseMatchValue(level: QueryLevel, attribute: QueryAttribute, rawValue: string): MatchSpec {
  const value = rawValue.trim();
  // C.2.2.2.3 universal matching; C.2.2.2.4: a value of only "*" is universal too
  if (value === '' || /^\*+$/.test(value)) return { kind: 'universal' };

  const column = matchableColumn(level, attribute);
  if (typeof column === 'string') bad(column);

  switch (column.kind) {
    case 'uid': {
      // C.2.2.2.2: UID list matching; PS3.18 8.3.4.1 also allows "," between UIDs
      const uids = value.split(/[\\,]/).map((uid) => uid.trim());
      for (const uid of uids) {
        if (!UID.test(uid) || uid.length > 64) bad(`${attribute.keyword}: "${uid}" is not a valid UID (digits and dots, at most 64 characters)`);
      }
      return uids.length === 1 ? { kind: 'single', value: uids[0] } : { kind: 'list', values: uids };
    }
    case 'date':
    case 'time':
    case 'age': {
      if (value.includes('-')) return parseRange(attribute, value);
      checkRangeBound(attribute, value);
      // PatientAge is only meaningful as "this age": a single age is the one-unit range
      return column.kind === 'age' ? { kind: 'range', from: value, to: value } : { kind: 'single', value };
    }
    case 'integer': {
      if (!/^[+-]?\d{1,10}$/.test(value)) bad(`${attribute.keyword}: "${value}" is not an integer`);
      return { kind: 'single', value: String(Number(value)) };
    }
    case 'modalities': {
      // PS3.4 C.6.1.1.3.1: a study matches if any of the given modalities is in it
      const modalities = value.split(/[\\,]/).map((m) => m.trim()).filter(Boolean);
      if (modalities.some((m) => /[*?]/.test(m))) return modalities.length === 1 ? { kind: 'wildcard', pattern: modalities[0] } : bad(`${attribute.keyword}: wildcards are only allowed with a single value`);
      return modalities.length === 1 ? { kind: 'single', value: modalities[0] } : { kind: 'list', values: modalities };
    }
    case 'text':
    case 'person-name':
      if (value.includes('\\')) bad(`${attribute.keyword}: multiple values are only allowed for UIDs and ModalitiesInStudy`);
      return /[*?]/.test(value) ? { kind: 'wildcard', pattern: value } : { kind: 'single', value };
  }
}

/** A query key with its match, for building an IndexQuery by hand (C-FIND, the portal). */
export function attributeMatch(level: QueryLevel, attribute: QueryAttribute, rawValue: string): AttributeMatch {
  return { ...attribute, match: parseMatchValue(level, attribute, rawValue) };
}
