// One query key → one parameterised SQL condition that runs unchanged on
// SQLite and PostgreSQL. Values are always bound parameters; identifiers are
// fixed strings from MATCHABLE_COLUMNS, never from the request.
import { Prisma } from '../../prisma/database';
import { ArchiveError } from '../errors';
import { normalizeForSearch } from '../dicom/normalize';
import { matchableColumn, type MatchableColumn, type QueryLevel } from './query-attributes';
import type { AttributeMatch, IndexQuery } from './query-model';

const ESCAPE = Prisma.raw(`ESCAPE '\\'`);

export function columnSql(column: Pick<MatchableColumn, 'table' | 'column'>): Prisma.Sql {
  return Prisma.raw(`"${column.table}"."${column.column}"`);
}

/** Escapes LIKE's own wildcards so that only DICOM's * and ? act as wildcards. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** PS3.4 C.2.2.2.4: "*" any sequence (also empty), "?" exactly one character. */
export function wildcardToLike(pattern: string): string {
  return escapeLike(pattern).replace(/\*/g, '%').replace(/\?/g, '_');
}

/**
 * Person names (PS3.4 C.2.2.2.1 lets PN matching be case-insensitive; fuzzy
 * semantics are implementation-defined, PS3.18 8.3.4.1). We always compare
 * against the stored search key (normalizeForSearch: upper-case, accents
 * stripped, "^" and spaces folded), so even without fuzzymatching "müller^hans"
 * finds "MULLER^HANS" — a clinician typing a name never wants case or accents to
 * matter, and it keeps SQLite (case-insensitive LIKE) and PostgreSQL
 * (case-sensitive LIKE) identical because both sides are already upper-case.
 *
 * Without fuzzymatching the whole name (or, with wildcards, the pattern) must
 * match one component group (alphabetic, ideographic or phonetic; the key joins
 * them with " = "). With fuzzymatching=true each word of the query must be the
 * start of some word of the name, in any order: "hans mul" finds "MULLER^HANS".
 */
function personNameSql(column: Prisma.Sql, match: AttributeMatch['match'], fuzzy: boolean): Prisma.Sql {
  if (match.kind !== 'single' && match.kind !== 'wildcard') throw new ArchiveError('BAD_REQUEST', 'person names support single-value and wildcard matching only');
  const raw = match.kind === 'single' ? match.value : match.pattern;
  // normalizeForSearch keeps * and ? (it only folds case, accents and separators)
  const key = normalizeForSearch(raw);
  if (fuzzy) {
    const words = key.split(' ').filter((word) => word && !/^\*+$/.test(word));
    if (!words.length) return Prisma.sql`1 = 1`;
    return Prisma.join(
      words.map((word) => Prisma.sql`(' ' || ${column}) LIKE ${`% ${wildcardToLike(word)}%`} ${ESCAPE}`),
      ' AND ',
    );
  }
  const like = match.kind === 'single' ? escapeLike(key) : wildcardToLike(key);
  const groups = [like, `${like} = %`, `% = ${like}`, `% = ${like} = %`];
  if (match.kind === 'single') {
    return Prisma.sql`(${column} = ${key} OR ${Prisma.join(groups.slice(1).map((g) => Prisma.sql`${column} LIKE ${g} ${ESCAPE}`), ' OR ')})`;
  }
  return Prisma.sql`(${Prisma.join(groups.map((g) => Prisma.sql`${column} LIKE ${g} ${ESCAPE}`), ' OR ')})`;
}

/**
 * PS3.4 C.2.2.2.5 range on a string-ordered column (YYYYMMDD, HHMMSS.FFFFFF).
 * An absent value ("") never matches a range. A time upper bound covers its
 * whole last unit: "-1200" includes 12:00:59.999 (PS3.4 C.2.2.2.5.1).
 */
function rangeSql(column: Prisma.Sql, from: string | null, to: string | null, isTime: boolean): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`${column} <> ''`];
  if (from) parts.push(Prisma.sql`${column} >= ${from}`);
  // Padding with 9s (not a high character such as "~") keeps the comparison
  // right under PostgreSQL's locale collations, which may skip punctuation.
  if (to) parts.push(Prisma.sql`${column} <= ${isTime ? `${to}999999999` : to}`);
  return Prisma.sql`(${Prisma.join(parts, ' AND ')})`;
}

function formatDate(date: Date): string {
  return `${date.getUTCFullYear().toString().padStart(4, '0')}${String(date.getUTCMonth() + 1).padStart(2, '0')}${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** today minus an AS age ("045Y", "006M", "003W", "010D") */
function subtractAge(today: Date, age: string, extraUnits = 0): Date {
  const n = Number(age.slice(0, 3)) + extraUnits;
  const date = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()));
  switch (age[3]) {
    case 'Y':
      date.setUTCFullYear(date.getUTCFullYear() - n);
      break;
    case 'M':
      date.setUTCMonth(date.getUTCMonth() - n);
      break;
    case 'W':
      date.setUTCDate(date.getUTCDate() - 7 * n);
      break;
    default:
      date.setUTCDate(date.getUTCDate() - n);
  }
  return date;
}

/**
 * Telepacs extension: PatientAge (AS) has no range matching in PS3.4, and the
 * stored PatientAge is the age at each study, so "patients aged 30–40" is
 * answered as a PatientBirthDate range (C.2.2.2.5) computed from today: aged
 * ≥ from ⇔ born on or before today − from; aged ≤ to ⇔ born after
 * today − (to + 1 unit). Exported so the portal can show the dates it used.
 */
export function birthDateRangeForAge(from: string | null, to: string | null, today: Date = new Date()): { from: string | null; to: string | null } {
  const latest = from ? formatDate(subtractAge(today, from)) : null;
  let earliest: string | null = null;
  if (to) {
    const bound = subtractAge(today, to, 1);
    bound.setUTCDate(bound.getUTCDate() + 1);
    earliest = formatDate(bound);
  }
  return { from: earliest, to: latest };
}

/** The SQL condition for one non-universal key at a level. */
export function matchToSql(level: QueryLevel, key: AttributeMatch, fuzzy: boolean, today: Date = new Date()): Prisma.Sql {
  const column = matchableColumn(level, key);
  if (typeof column === 'string') throw new ArchiveError('BAD_REQUEST', column);
  const sql = columnSql(column);
  const { match } = key;
  if (match.kind === 'universal') return Prisma.sql`1 = 1`;

  switch (column.kind) {
    case 'person-name':
      return personNameSql(sql, match, fuzzy);
    case 'modalities': {
      // "\CT\SR\": each modality is delimited on both sides, so one LIKE per value
      const values = match.kind === 'list' ? match.values : match.kind === 'single' ? [match.value] : match.kind === 'wildcard' ? [match.pattern] : [];
      const isWildcard = match.kind === 'wildcard';
      return Prisma.sql`(${Prisma.join(
        values.map((value) => Prisma.sql`${sql} LIKE ${`%\\\\${isWildcard ? wildcardToLike(value) : escapeLike(value)}\\\\%`} ${ESCAPE}`),
        ' OR ',
      )})`;
    }
    case 'age': {
      if (match.kind !== 'range') throw new ArchiveError('BAD_REQUEST', `${key.keyword}: expected an age or an age range`);
      const range = birthDateRangeForAge(match.from, match.to, today);
      return rangeSql(sql, range.from, range.to, false);
    }
    case 'integer':
      if (match.kind !== 'single') throw new ArchiveError('BAD_REQUEST', `${key.keyword}: only single-value matching is supported`);
      return Prisma.sql`${sql} = ${Number(match.value)}`;
    case 'date':
    case 'time':
      if (match.kind === 'range') return rangeSql(sql, match.from, match.to, column.kind === 'time');
      if (match.kind !== 'single') throw new ArchiveError('BAD_REQUEST', `${key.keyword}: expected a value or a range`);
      // A single time ("1030") means that minute, i.e. the range 1030–1030
      return column.kind === 'time' ? rangeSql(sql, match.value, match.value, true) : Prisma.sql`${sql} = ${match.value}`;
    case 'uid':
    case 'text':
      switch (match.kind) {
        case 'single':
          // C.2.2.2.1: exact and case-sensitive ("=" is binary on both providers)
          return Prisma.sql`${sql} = ${match.value}`;
        case 'list':
          return Prisma.sql`${sql} IN (${Prisma.join(match.values)})`;
        case 'wildcard':
          // SQLite's LIKE ignores ASCII case and cannot be told otherwise per query,
          // PostgreSQL's does not: fold both sides so the two providers agree.
          // Wildcard searches on IDs and descriptions are thus case-insensitive.
          return Prisma.sql`UPPER(${sql}) LIKE ${wildcardToLike(match.pattern.toUpperCase())} ${ESCAPE}`;
        case 'range':
          throw new ArchiveError('BAD_REQUEST', `${key.keyword}: range matching is only for dates and times`);
      }
  }
}

/** All conditions of a query, joined with AND (universal keys add none). */
export function queryConditions(query: IndexQuery, today: Date = new Date()): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  for (const key of query.matches.values()) {
    if (key.match.kind === 'universal') continue;
    conditions.push(matchToSql(query.level, key, query.fuzzyMatching, today));
  }
  return conditions;
}
