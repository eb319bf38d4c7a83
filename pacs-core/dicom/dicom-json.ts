// DICOM JSON Model (PS3.18 F.2) types and the conversion from dcmjs's dataset
// dictionary, which is already keyed by tag with {vr, Value}.

export interface DicomJsonElement {
  vr: string;
  Value?: unknown[];
  InlineBinary?: string;
  BulkDataURI?: string;
}
export type DicomJsonDataset = Record<string, DicomJsonElement>;

/** Binary VRs whose values are bulk data candidates (PS3.18 F.2.7). */
export const BINARY_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'UN']);

/** Values larger than this are served as BulkDataURI, not inlined. */
export const INLINE_BINARY_LIMIT = 1024;

/** The placeholder the WADO-RS layer replaces with the request's DICOMweb base URL. */
export const BASE_URL_PLACEHOLDER = '{+base}';

interface DcmjsElement {
  vr?: string;
  Value?: unknown;
}

function toBuffer(value: unknown): Buffer | undefined {
  if (value instanceof ArrayBuffer) return Buffer.from(value);
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return undefined;
}

/**
 * Converts a dcmjs dict (DicomMessage.readFile(...).dict) to DICOM JSON.
 * Large top-level binary values become BulkDataURIs under `bulkDataBase`
 * (which itself starts with BASE_URL_PLACEHOLDER); nested ones are inlined.
 */
export function dcmjsDictToDicomJson(dict: Record<string, DcmjsElement>, bulkDataBase: string | null): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const tag of Object.keys(dict).sort()) {
    const element = dict[tag];
    if (!element || typeof element !== 'object') continue;
    const vr = element.vr;
    if (!vr) continue; // dcmjs's untilTag placeholder ({Value: 0}) has no VR
    out[tag.toUpperCase()] = convertElement(tag.toUpperCase(), vr, element.Value, bulkDataBase);
  }
  return out;
}

function convertElement(tag: string, vr: string, value: unknown, bulkDataBase: string | null): DicomJsonElement {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (vr === 'SQ') {
    const items = values.map((item) => dcmjsDictToDicomJson(item as Record<string, DcmjsElement>, null));
    return items.length ? { vr, Value: items } : { vr };
  }
  if (BINARY_VRS.has(vr)) {
    const buffers = values.map(toBuffer).filter((b): b is Buffer => b !== undefined);
    const bytes = buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
    if (bytes.length === 0) return { vr };
    if (bulkDataBase && bytes.length > INLINE_BINARY_LIMIT) return { vr, BulkDataURI: `${bulkDataBase}/${tag}` };
    return { vr, InlineBinary: bytes.toString('base64') };
  }
  const cleaned = values
    .map((v) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return null;
      if (typeof v === 'string') return decodeIso2022(v.replace(/\0+$/, ''));
      if (vr === 'PN' && v && typeof v === 'object') {
        const groups = v as Record<string, unknown>;
        return Object.fromEntries(Object.entries(groups).map(([k, g]) => [k, typeof g === 'string' ? decodeIso2022(g) : g]));
      }
      return v;
    })
    // PS3.18 F.2.5: an empty single value of a string VR is absent, not ""
    .filter((v) => v !== undefined);
  const meaningful = cleaned.some((v) => v !== null && v !== '');
  return meaningful ? { vr, Value: cleaned.map((v) => (v === '' ? null : v)) } : { vr };
}

/**
 * dcmjs leaves ISO 2022 code extensions (PS3.5 6.1.2.5) undecoded: the escape
 * sequences and the 7-bit JIS bytes arrive as characters. Decode them here.
 * Japanese (ISO 2022 IR 87/159/13): the WHATWG iso-2022-jp decoder handles
 * ESC $ B, ESC ( B, ESC ( J and ESC ( I. Korean (ISO 2022 IR 149): ESC $ ) C
 * designates KS X 1001 to G1, whose bytes are then EUC-KR.
 */
export function decodeIso2022(text: string): string {
  if (!text.includes('\x1b')) return text;
  if (text.includes('\x1b$)C')) {
    return new TextDecoder('euc-kr').decode(Buffer.from(text.replace(/\x1b\$\)C/g, ''), 'latin1'));
  }
  return new TextDecoder('iso-2022-jp').decode(Buffer.from(text, 'latin1'));
}

/** First value of a string/number element, or '' */
export function firstString(dataset: DicomJsonDataset, tag: string): string {
  const value = dataset[tag]?.Value?.[0];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && value !== null && 'Alphabetic' in value) {
    const pn = value as { Alphabetic?: string; Ideographic?: string; Phonetic?: string };
    return [pn.Alphabetic ?? '', pn.Ideographic ?? '', pn.Phonetic ?? ''].join('=').replace(/=+$/, '');
  }
  return String(value).trim();
}

export function firstNumber(dataset: DicomJsonDataset, tag: string): number | null {
  const value = dataset[tag]?.Value?.[0];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : null;
}

/** A subset of a dataset (only the given tags that are present). */
export function pickTags(dataset: DicomJsonDataset, tags: Iterable<string>): DicomJsonDataset {
  const out: DicomJsonDataset = {};
  for (const tag of tags) if (dataset[tag]) out[tag] = dataset[tag];
  return out;
}
