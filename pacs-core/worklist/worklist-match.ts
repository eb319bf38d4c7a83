// PS3.4 C.2.2.2 matching, as the Modality Worklist (K.6.1.2) asks for it, on
// one value of one order. The keys are few and the active orders of one
// facility a short list, so every key is checked here, in memory, on the
// candidates the database pre-selected (find-worklist.ts); the SQL only
// narrows, this decides — one rule set on SQLite and PostgreSQL.
import { ArchiveError } from '../errors';
import { normalizeForSearch, personNameSearchKey } from '../dicom/normalize';

/** How a key's value is compared (the attribute's VR decides). */
export type MatchKind = 'text' | 'person-name' | 'date' | 'time' | 'uid';

/** PS3.4 C.2.2.2: what one key asks. */
export type WorklistMatch =
  /** C.2.2.2.3: empty (or only "*"): any value, the attribute returned */
  | { kind: 'universal' }
  /** C.2.2.2.1 single value; C.2.2.2.2 a list ("\"-separated) of UIDs or AE titles */
  | { kind: 'values'; values: string[] }
  /** C.2.2.2.4: * any run of characters, ? one character */
  | { kind: 'wildcard'; pattern: RegExp }
  /** C.2.2.2.5: inclusive, an open end is null */
  | { kind: 'range'; from: string | null; to: string | null };

const DATE = /^\d{8}$/;
const TIME = /^\d{2}(\d{2}(\d{2}(\.\d{1,6})?)?)?$/;
const UID = /^[0-9]+(\.[0-9]+)*$/;

function bad(message: string): never {
  throw new ArchiveError('BAD_REQUEST', message);
}

/** "*" and "?" become a whole-value regular expression; everything else is literal. */
function wildcardRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, ignoreCase ? 'isu' : 'su');
}

function checkBound(keyword: string, kind: 'date' | 'time', bound: string): void {
  if (!(kind === 'date' ? DATE : TIME).test(bound)) bad(`${keyword}: "${bound}" is not a valid ${kind === 'date' ? 'DA (YYYYMMDD)' : 'TM (HHMMSS)'} value`);
}

/** One key's value → its match; a malformed value fails the whole request (0xA900). */
export function parseWorklistMatch(keyword: string, kind: MatchKind, raw: string): WorklistMatch {
  const value = raw.trim();
  if (value === '' || /^\*+$/.test(value)) return { kind: 'universal' };
  switch (kind) {
    case 'date':
    case 'time': {
      if (!value.includes('-')) {
        checkBound(keyword, kind, value);
        // A single time ("1030") means that whole minute (C.2.2.2.5.1)
        return kind === 'time' ? { kind: 'range', from: value, to: value } : { kind: 'values', values: [value] };
      }
      const parts = value.split('-').map((part) => part.trim());
      if (parts.length !== 2 || (!parts[0] && !parts[1])) bad(`${keyword}: "${value}" is not a range (from-to, -to or from-)`);
      const [from, to] = parts;
      if (from) checkBound(keyword, kind, from);
      if (to) checkBound(keyword, kind, to);
      if (from && to && from > to) bad(`${keyword}: range start ${from} is after its end ${to}`);
      return { kind: 'range', from: from || null, to: to || null };
    }
    case 'uid': {
      const uids = value.split('\\').map((uid) => uid.trim());
      for (const uid of uids) if (!UID.test(uid) || uid.length > 64) bad(`${keyword}: "${uid}" is not a valid UID`);
      return { kind: 'values', values: uids };
    }
    case 'person-name':
      // Compared on the search key (case, accents and ^ folded), like QIDO-RS and C-FIND
      return /[*?]/.test(value) ? { kind: 'wildcard', pattern: wildcardRegExp(normalizeForSearch(value), false) } : { kind: 'values', values: [normalizeForSearch(value)] };
    case 'text':
      // Single values are exact and case-sensitive (C.2.2.2.1); wildcards fold case, as the index does
      if (/[*?]/.test(value)) return { kind: 'wildcard', pattern: wildcardRegExp(value, true) };
      return { kind: 'values', values: value.split('\\').map((part) => part.trim()) };
  }
}

/** Whether a stored value satisfies a key. An absent value ("") matches only universally. */
export function matchesValue(match: WorklistMatch, kind: MatchKind, stored: string): boolean {
  if (match.kind === 'universal') return true;
  if (stored === '') return false;
  if (kind === 'person-name') {
    // Any component group (alphabetic, ideographic, phonetic) may match
    const groups = personNameSearchKey(stored).split(' = ');
    return groups.some((group) => (match.kind === 'wildcard' ? match.pattern.test(group) : match.kind === 'values' && match.values.includes(group)));
  }
  switch (match.kind) {
    case 'values':
      return match.values.includes(stored.trim());
    case 'wildcard':
      return match.pattern.test(stored.trim());
    case 'range': {
      if (match.from && stored < match.from) return false;
      // A time's upper bound covers its whole last unit: "-1200" includes 12:00:59
      if (match.to && stored > (kind === 'time' ? `${match.to}999999999` : match.to)) return false;
      return true;
    }
  }
}
