// What each match returns (PS3.18 10.6.3.3): the level's default attributes,
// the query keys, the includefield attributes — from the stored DICOM JSON of
// the index rows — plus the attributes the archive computes.
import dcmjs from 'dcmjs';
import type { DicomJsonDataset, DicomJsonElement } from '../dicom/dicom-json';
import { COMPUTED_TAGS, type QueryAttribute } from './query-attributes';
import type { IndexQuery } from './query-model';

/** Which attributes to copy into a result: a set of tags, or everything stored. */
export type ReturnSelection = { all: true } | { all: false; tags: Set<string> };

export interface ReturnOptions {
  /** QIDO-RS returns the PS3.18 defaults; C-FIND returns only the keys it was sent (PS3.4 C.4.1.1.3.2) */
  includeDefaults: boolean;
}

/** The union of defaults (when asked), query keys and includefield attributes. */
export function returnSelection(query: IndexQuery, defaults: readonly string[], options: ReturnOptions): ReturnSelection {
  if (query.includeFields === 'all') return { all: true };
  const tags = new Set<string>(options.includeDefaults ? defaults : []);
  for (const tag of query.matches.keys()) tags.add(tag);
  for (const field of query.includeFields) tags.add(field.tag);
  return { all: false, tags };
}

/** Tags the client named itself (keys, includefield): returned even when empty, as C-FIND does. */
export function explicitTags(query: IndexQuery): Map<string, QueryAttribute> {
  const out = new Map<string, QueryAttribute>();
  for (const key of query.matches.values()) out.set(key.tag, key);
  if (query.includeFields !== 'all') for (const field of query.includeFields) out.set(field.tag, field);
  return out;
}

export function parseStoredJson(text: string): DicomJsonDataset {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as DicomJsonDataset) : {};
  } catch {
    // A damaged cache column must not break a whole search; the row still has its UIDs
    return {};
  }
}

/** PS3.18 10.6.3.3: includefield=all still returns no bulk data. */
function isBulk(element: DicomJsonElement): boolean {
  return element.BulkDataURI !== undefined || element.InlineBinary !== undefined;
}

/** Copies the selected stored attributes of one level into `out`. */
export function copySelected(out: DicomJsonDataset, stored: DicomJsonDataset, selection: ReturnSelection): void {
  for (const [tag, element] of Object.entries(stored)) {
    if (tag === '7FE00010' || isBulk(element)) continue;
    if (selection.all || selection.tags.has(tag)) out[tag] = element;
  }
}

export function wants(selection: ReturnSelection, tag: string): boolean {
  return selection.all || selection.tags.has(tag);
}

/** Sets a computed attribute when it is selected. */
export function setComputed(out: DicomJsonDataset, selection: ReturnSelection, tag: string, element: DicomJsonElement): void {
  if (wants(selection, tag)) out[tag] = element;
}

const vrOf = (tag: string): string => dcmjs.data.DicomMetaDictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`]?.vr ?? 'UN';

/**
 * Finishes a result: explicitly requested attributes that have no value are
 * returned empty (PS3.18 F.2.5, like a C-FIND response's zero-length key),
 * and the elements are ordered by tag as DICOM JSON writers do.
 */
export function finishResult(out: DicomJsonDataset, explicit: Map<string, QueryAttribute>): DicomJsonDataset {
  for (const [tag, attribute] of explicit) {
    if (!out[tag]) out[tag] = { vr: attribute.vr === 'UN' ? vrOf(tag) : attribute.vr };
  }
  const sorted: DicomJsonDataset = {};
  for (const tag of Object.keys(out).sort()) sorted[tag] = out[tag];
  return sorted;
}

/** "\CT\SR\" → ["CT", "SR"] */
export function splitModalities(stored: string): string[] {
  return stored.split('\\').filter(Boolean);
}

/** The computed attributes every level shares: character set and availability. */
export function setCommonComputed(out: DicomJsonDataset, selection: ReturnSelection, level: 'study' | 'series' | 'instance'): void {
  // We answer UTF-8 JSON whatever the stored character set was (PS3.18 F.2: JSON is Unicode)
  setComputed(out, selection, COMPUTED_TAGS.specificCharacterSet, { vr: 'CS', Value: ['ISO_IR 192'] });
  // PS3.4 C.4.1.1.3.2: the archive keeps everything on line; series have no availability key in QIDO
  if (level !== 'series') setComputed(out, selection, COMPUTED_TAGS.instanceAvailability, { vr: 'CS', Value: ['ONLINE'] });
}
