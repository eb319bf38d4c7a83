// A C-FIND/C-MOVE/C-GET identifier (PS3.4 C.4.1.1.3) as decoded by dcmjs
// (naturalized: keyword → value) turned into the index's query model, the one
// QIDO-RS uses, so both doors match alike; and index results (DICOM JSON)
// turned back into a dataset dcmjs can encode.
import dcmjs from 'dcmjs';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { ArchiveError } from '../errors';
import { attributeMatch, isMatchable, resolveAttribute, type AttributeMatch, type IndexQuery, type QueryAttribute, type QueryLevel } from '../index';
import { PATIENT_LEVEL_TAGS } from '../dicom/levels';
import type { QueryRoot } from './constants';

/** PS3.4 C.6.1.1.1 / C.6.2.1.1: the value of (0008,0052) QueryRetrieveLevel. */
export type RetrieveLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';

export type NaturalizedDataset = Record<string, unknown>;

/** Tags the SCP fills itself in each response rather than matching on. */
const QUERY_LEVEL_TAG = '00080052';
const SPECIFIC_CHARACTER_SET_TAG = '00080005';
const RETRIEVE_AE_TITLE_TAG = '00080054';
const NOT_KEYS = new Set([QUERY_LEVEL_TAG, SPECIFIC_CHARACTER_SET_TAG, RETRIEVE_AE_TITLE_TAG]);

/** PS3.4 C.6.1.1.2 (Patient Root) patient-level computed keys. */
export const PATIENT_COMPUTED_TAGS = {
  numberOfPatientRelatedStudies: '00201200',
  numberOfPatientRelatedSeries: '00201202',
  numberOfPatientRelatedInstances: '00201204',
} as const;
const PATIENT_LEVEL: ReadonlySet<string> = new Set([...PATIENT_LEVEL_TAGS, ...Object.values(PATIENT_COMPUTED_TAGS)]);

export function retrieveLevelOf(identifier: NaturalizedDataset, root: QueryRoot): RetrieveLevel {
  const raw = identifier.QueryRetrieveLevel;
  const level = (Array.isArray(raw) ? raw[0] : raw);
  const value = typeof level === 'string' ? level.trim().toUpperCase() : '';
  if (value === 'STUDY' || value === 'SERIES' || value === 'IMAGE') return value;
  // PS3.4 C.6.2: the Study Root model has no PATIENT level
  if (value === 'PATIENT' && root === 'patient') return value;
  throw new ArchiveError('BAD_REQUEST', `QueryRetrieveLevel "${value}" is not valid in the ${root} root model`);
}

export function indexLevelOf(level: RetrieveLevel): QueryLevel {
  return level === 'IMAGE' ? 'instance' : level === 'SERIES' ? 'series' : 'study';
}

/** A naturalized value as the text a query key carries: multiple values joined by "\" (PS3.5 6.4). */
export function keyText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(keyText).join('\\');
  if (typeof value === 'object') {
    // PN: { Alphabetic, Ideographic, Phonetic } component groups, joined by "=" (PS3.5 6.2.1)
    const pn = value as { Alphabetic?: unknown; Ideographic?: unknown; Phonetic?: unknown };
    return [pn.Alphabetic, pn.Ideographic, pn.Phonetic].map((part) => (typeof part === 'string' ? part : '')).join('=').replace(/=+$/, '');
  }
  return String(value).trim();
}

export interface IdentifierKeys {
  /** Every key of the identifier, by tag, with the attribute it names */
  keys: Map<string, { attribute: QueryAttribute; value: string }>;
  /** The identifier asked for RetrieveAETitle (0008,0054) */
  wantsRetrieveAeTitle: boolean;
}

/** The keys of an identifier; unknown keywords (and private elements) are left out. */
export function identifierKeys(identifier: NaturalizedDataset): IdentifierKeys {
  const keys = new Map<string, { attribute: QueryAttribute; value: string }>();
  let wantsRetrieveAeTitle = false;
  for (const [keyword, value] of Object.entries(identifier)) {
    if (keyword.startsWith('_')) continue; // dcmjs bookkeeping (_vrMap)
    let attribute: QueryAttribute;
    try {
      attribute = resolveAttribute(keyword);
    } catch {
      continue;
    }
    if (attribute.tag === RETRIEVE_AE_TITLE_TAG) wantsRetrieveAeTitle = true;
    if (NOT_KEYS.has(attribute.tag)) continue;
    // Sequence keys (PS3.4 C.2.2.1.3) are returned, never matched on here
    keys.set(attribute.tag, { attribute, value: attribute.vr === 'SQ' ? '' : keyText(value) });
  }
  return { keys, wantsRetrieveAeTitle };
}

/**
 * The index query of a C-FIND at `level`. A key the index cannot match on
 * (an optional key, PS3.4 C.4.1.2.2 / C.6.1.1) is returned but not matched:
 * the SCP answers with its stored value rather than failing the request.
 * Invalid values of matchable keys (a malformed date range, a bad UID) throw
 * BAD_REQUEST, answered as 0xA900 "identifier does not match SOP class".
 */
export function buildIndexQuery(level: RetrieveLevel, keys: IdentifierKeys['keys'], page: { limit: number; offset: number }): IndexQuery {
  const queryLevel = indexLevelOf(level);
  const matches = new Map<string, AttributeMatch>();
  for (const [tag, { attribute, value }] of keys) {
    // PS3.4 C.4.1.2.1: at PATIENT level only patient-level keys mean anything
    if (level === 'PATIENT' && !PATIENT_LEVEL.has(tag)) continue;
    const matchable = value !== '' && isMatchable(queryLevel, attribute);
    matches.set(tag, matchable ? attributeMatch(queryLevel, attribute, value) : { ...attribute, match: { kind: 'universal' } });
  }
  return { level: queryLevel, matches, includeFields: [], fuzzyMatching: false, limit: page.limit, offset: page.offset };
}

/** Adds a return-only key (for attributes the SCP needs internally). */
export function addReturnKey(query: IndexQuery, keyword: string): void {
  const attribute = resolveAttribute(keyword);
  if (!query.matches.has(attribute.tag)) query.matches.set(attribute.tag, { ...attribute, match: { kind: 'universal' } });
}

/** DICOM JSON (the index's results) → the naturalized form dcmjs-dimse encodes. */
export function naturalize(json: DicomJsonDataset): NaturalizedDataset {
  const naturalized = dcmjs.data.DicomMetaDictionary.naturalizeDataset(json) as NaturalizedDataset;
  delete naturalized._vrMap;
  return naturalized;
}
