// Encoding rules of PS3.5 that a received file must follow before we store
// it, checked on the elements dicom-parser found. Each refusal names the
// element and the rule, so that a sender can fix its output.
//
// Why we refuse rather than repair: a value we would have to guess at (where
// does an undefined-length text end? which UID did a sender mean when it put
// a NUL inside one?) would be stored under a key or shown to a reader
// differently from what the sender holds. dicom-parser, for one, cuts a
// string at its first NUL while dcmjs drops the NUL: "1.2.3\0.4" was indexed
// as 1.2.3 and described in the metadata as 1.2.3.4.
import dicomParser from 'dicom-parser';
import dcmjs from 'dcmjs';
import { ArchiveError, type ArchiveErrorCode } from '../errors';
import type { DicomJsonDataset } from './dicom-json';
import { sequenceNestingDepth } from './nesting-depth';

/** PS3.5 Table 6.2-1 (2024): every VR an explicit VR element may carry. */
const KNOWN_VRS = new Set([
  'AE', 'AS', 'AT', 'CS', 'DA', 'DS', 'DT', 'FD', 'FL', 'IS', 'LO', 'LT', 'OB', 'OD', 'OF', 'OL', 'OV', 'OW',
  'PN', 'SH', 'SL', 'SQ', 'SS', 'ST', 'SV', 'TM', 'UC', 'UI', 'UL', 'UN', 'UR', 'US', 'UT', 'UV',
]);

const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

/** The UIDs ingest keys on or reads the file by, with the names a sender's log will show. */
export const KEY_UIDS = {
  x00020010: { name: 'Transfer Syntax UID (0002,0010)', code: 'MALFORMED' },
  x00020002: { name: 'Media Storage SOP Class UID (0002,0002)', code: 'MALFORMED' },
  x00020003: { name: 'Media Storage SOP Instance UID (0002,0003)', code: 'MALFORMED' },
  x0020000d: { name: 'Study Instance UID (0020,000D)', code: 'MISSING_UID' },
  x0020000e: { name: 'Series Instance UID (0020,000E)', code: 'MISSING_UID' },
  x00080018: { name: 'SOP Instance UID (0008,0018)', code: 'MISSING_UID' },
  x00080016: { name: 'SOP Class UID (0008,0016)', code: 'MISSING_UID' },
} as const satisfies Record<string, { name: string; code: ArchiveErrorCode }>;
export type KeyUidTag = keyof typeof KEY_UIDS;

/**
 * The value of a UID element as stored in the file, checked by PS3.5 9.1
 * and 6.2 (UI): digits and dots, components without leading zeros, at most 64
 * characters. The one trailing NUL that pads a value to even length is
 * removed; so is a trailing space pad, a common deviation that DCMTK's
 * reader corrects too. Anything else — a NUL inside, a second pad byte, a
 * backslash (a second value), a letter — is refused. '' when absent.
 */
export function readUid(dataSet: dicomParser.DataSet, tag: KeyUidTag): string {
  const element = dataSet.elements[tag];
  if (!element) return '';
  const { name, code } = KEY_UIDS[tag];
  if (element.dataOffset + element.length > dataSet.byteArray.length) throw new ArchiveError('TRUNCATED', `the file ends inside the ${name}`);
  const raw = Buffer.from(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + element.dataOffset, element.length);
  let text = raw.toString('latin1');
  if (text.endsWith('\0') || text.endsWith(' ')) text = text.slice(0, -1);
  if (text === '') return '';
  // Quoted in ASCII: the reason travels in HTTP headers, logs and DIMSE Error Comments
  const shown = JSON.stringify(text.slice(0, 80)).replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (text.includes('\0')) throw new ArchiveError(code, `${name} contains a NUL byte: ${shown}`);
  if (text.length > 64) throw new ArchiveError(code, `${name} is longer than 64 characters (PS3.5 9.1): ${shown}`);
  if (!/^[0-9.]+$/.test(text)) throw new ArchiveError(code, `${name} may hold only digits and dots (PS3.5 9.1): ${shown}`);
  if (!UID.test(text)) throw new ArchiveError(code, `${name} has an empty component or one with a leading zero (PS3.5 9.1): ${shown}`);
  return text;
}

/**
 * Sequences nested deeper than this are refused. No IOD comes near it (a
 * TID 1500 report is about 8 levels, deep SR content trees a few dozen),
 * while a file nesting thousands of levels (found by the fuzz test: 1,538)
 * overflowed the stack of the code that walks the header afterwards.
 */
export const MAX_SEQUENCE_DEPTH = 128;

/**
 * PS3.5 7.1.2 and 7.5: an undefined length (FFFFFFFFH) is legal only for a
 * sequence (SQ, or UN holding a sequence in implicit VR, PS3.5 6.2.2) and
 * for encapsulated Pixel Data (OB/OW, PS3.5 A.4). Anything else makes the
 * value end wherever a reader happens to find a delimiter. Also: every
 * explicit VR must be one PS3.5 defines.
 */
/** Before the recursive parse: refuses a file nesting sequences deeper than MAX_SEQUENCE_DEPTH (nesting-depth.ts). */
export function checkNestingDepth(bytes: Uint8Array): void {
  if (sequenceNestingDepth(bytes, MAX_SEQUENCE_DEPTH) > MAX_SEQUENCE_DEPTH) {
    throw new ArchiveError('MALFORMED', `sequences are nested more than ${MAX_SEQUENCE_DEPTH} levels deep`);
  }
}

export function checkElementEncoding(dataSet: dicomParser.DataSet, encapsulated: boolean, explicitVr: boolean, depth = 0): void {
  if (depth > MAX_SEQUENCE_DEPTH) {
    throw new ArchiveError('MALFORMED', `sequences are nested more than ${MAX_SEQUENCE_DEPTH} levels deep`);
  }
  for (const element of Object.values(dataSet.elements)) {
    // Item and delimitation tags (FFFE,xxxx) have no VR (PS3.5 7.5). dicom-parser lists a
    // delimiter it meets inside an item as an element: seen in the SR our own dcmjs
    // builder writes (pacs-core/dicom/sr), which DCMTK, dciodvfy and OHIF read.
    if (element.tag.startsWith('xfffe')) continue;
    const where = `${describeTag(element.tag)}${depth > 0 ? ' (inside a sequence)' : ''}`;
    if (explicitVr && element.vr !== undefined && !KNOWN_VRS.has(element.vr)) {
      throw new ArchiveError('MALFORMED', `${where} has an unknown VR ${JSON.stringify(element.vr)} (PS3.5 6.2)`);
    }
    if (element.hadUndefinedLength && !undefinedLengthAllowed(dataSet, element, encapsulated, depth)) {
      const vr = element.vr ?? dictionaryVr(element.tag) ?? 'its VR';
      throw new ArchiveError('MALFORMED', `${where} has an undefined length, which ${vr} may not have (PS3.5 7.1.2: only SQ, UN sequences and encapsulated Pixel Data)`);
    }
    for (const item of element.items ?? []) {
      if (item.dataSet) checkElementEncoding(item.dataSet, encapsulated, explicitVr, depth + 1);
    }
  }
}

function undefinedLengthAllowed(dataSet: dicomParser.DataSet, element: dicomParser.Element, encapsulated: boolean, depth: number): boolean {
  if (element.tag === 'x7fe00010' && depth === 0) return encapsulated;
  if (element.items !== undefined) return true; // parsed as a sequence of items
  if (element.vr === 'SQ' || element.vr === 'UN') return true;
  // Implicit VR: dicom-parser parses a private undefined-length element as a
  // sequence but drops its items; a sequence starts with an item or ends at once.
  const first = dataSet.byteArray.length >= element.dataOffset + 4 ? readTagAt(dataSet, element.dataOffset) : '';
  return element.vr === undefined && (first === 'xfffee000' || first === 'xfffee0dd');
}

function readTagAt(dataSet: dicomParser.DataSet, offset: number): string {
  // Implicit VR is little endian only (PS3.5 A.1)
  const view = Buffer.from(dataSet.byteArray.buffer, dataSet.byteArray.byteOffset + offset, 4);
  const group = view.readUInt16LE(0);
  const element = view.readUInt16LE(2);
  return `x${group.toString(16).padStart(4, '0')}${element.toString(16).padStart(4, '0')}`;
}

/**
 * PS3.5 6.1.2.3 / 6.2: NUL is no character of any text repertoire, only the
 * padding of UI (removed above) and binary values. A NUL inside a text value
 * of a standard attribute (PatientID, a name, an accession number...) would
 * cut the value in some readers and not in others, and PostgreSQL cannot
 * store it at all: refused. Private attributes are left as sent.
 */
export function checkTextValues(dataset: DicomJsonDataset, depth = 0): void {
  for (const [tag, element] of Object.entries(dataset)) {
    if (Number.parseInt(tag.slice(0, 4), 16) % 2 === 1) continue;
    for (const value of element.Value ?? []) {
      if (element.vr === 'SQ') {
        if (value && typeof value === 'object') checkTextValues(value as DicomJsonDataset, depth + 1);
        continue;
      }
      const texts = typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).filter((v) => typeof v === 'string') : [];
      if (texts.some((text) => text.includes('\0'))) {
        throw new ArchiveError('MALFORMED', `${describeTag(`x${tag.toLowerCase()}`)}${depth > 0 ? ' (inside a sequence)' : ''} contains a NUL byte inside its text (PS3.5 6.1.2.3)`);
      }
    }
  }
}

/** "(0010,0020) PatientID" from dicom-parser's "x00100020" */
function describeTag(tag: string): string {
  const group = tag.slice(1, 5).toUpperCase();
  const element = tag.slice(5, 9).toUpperCase();
  const entry = DICTIONARY[`(${group},${element})`];
  return `(${group},${element})${entry?.name ? ` ${entry.name}` : ''}`;
}

function dictionaryVr(tag: string): string | undefined {
  return DICTIONARY[`(${tag.slice(1, 5).toUpperCase()},${tag.slice(5, 9).toUpperCase()})`]?.vr;
}

const DICTIONARY = dcmjs.data.DicomMetaDictionary.dictionary as Record<string, { name?: string; vr?: string } | undefined>;
