// QIDO-RS query parameters (PS3.18 8.3.4, 10.6.1.2) → IndexQuery.
import { ArchiveError } from '../errors';
import { resolveAttribute, type QueryAttribute, type QueryLevel } from './query-attributes';
import { parseMatchValue, type AttributeMatch, type IndexQuery } from './query-model';

/** Parameters that are not attribute keys (PS3.18 8.3.3.1 accept/charset, 8.3.4). */
const CONTROL_PARAMETERS = new Set(['limit', 'offset', 'fuzzymatching', 'includefield', 'accept', 'charset']);

function bad(message: string): never {
  throw new ArchiveError('BAD_REQUEST', message);
}

function parseCount(name: string, raw: string, minimum: number): number {
  // Digits only: "10abc", "1e3", "-1" and "" are all mistakes worth reporting
  if (!/^\d{1,9}$/.test(raw.trim())) bad(`${name} must be ${minimum === 1 ? 'a positive' : 'a non-negative'} integer, got "${raw}"`);
  const value = Number(raw.trim());
  if (value < minimum) bad(`${name} must be ${minimum === 1 ? 'a positive' : 'a non-negative'} integer, got "${raw}"`);
  return value;
}

function single(params: URLSearchParams, name: string): string | null {
  const values = params.getAll(name);
  if (values.length > 1) bad(`${name} may be given only once`);
  return values.length ? values[0] : null;
}

/**
 * Parses a QIDO-RS query string for a search at `level`. Attribute keys may be
 * keywords or tags; every mistake is a 400 with the reason (never ignored
 * silently, so a typo does not return the whole archive).
 */
export function parseQidoQuery(level: QueryLevel, params: URLSearchParams): IndexQuery {
  const matches = new Map<string, AttributeMatch>();
  const includeFields: QueryAttribute[] = [];
  let includeAll = false;

  for (const name of new Set(params.keys())) {
    if (CONTROL_PARAMETERS.has(name)) continue;
    // PS3.18 8.3.4.1 allows sequence paths (00400275.00400009); the index has no
    // columns inside sequences, so such a key cannot be matched here.
    if (name.includes('.')) bad(`matching on sequence items (${name}) is not supported`);
    const attribute = resolveAttribute(name);
    const values = params.getAll(name);
    if (values.length > 1) bad(`${attribute.keyword} is given ${values.length} times; give it once (a list of UIDs is separated by "\\" or ",")`);
    if (matches.has(attribute.tag)) bad(`${attribute.keyword} is given twice (as keyword and as tag)`);
    matches.set(attribute.tag, { ...attribute, match: parseMatchValue(level, attribute, values[0]) });
  }

  // PS3.18 8.3.4.3: includefield is repeatable and each value a comma-separated list
  for (const value of params.getAll('includefield')) {
    for (const field of value.split(',').map((f) => f.trim()).filter(Boolean)) {
      if (field === 'all') includeAll = true;
      // a sequence path returns the whole top-level sequence
      else includeFields.push(resolveAttribute(field.split('.')[0]));
    }
  }

  const fuzzy = single(params, 'fuzzymatching');
  if (fuzzy !== null && fuzzy !== 'true' && fuzzy !== 'false') bad(`fuzzymatching must be "true" or "false", got "${fuzzy}"`);
  const limit = single(params, 'limit');
  const offset = single(params, 'offset');

  return {
    level,
    matches,
    includeFields: includeAll ? 'all' : includeFields,
    fuzzyMatching: fuzzy === 'true',
    limit: limit === null ? null : parseCount('limit', limit, 1),
    offset: offset === null ? 0 : parseCount('offset', offset, 0),
  };
}
