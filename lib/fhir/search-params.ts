// The search parameters the FHIR API understands, read one way for both
// resource types. Unknown parameters are refused (400 OperationOutcome), so a
// client never mistakes an ignored filter for an empty answer.
import { DomainError } from '../errors';
import { identifierSystemOf } from './patient-reference';

/** A token search value: "value", "system|value", "|value" (no system) */
export interface TokenValue {
  /** undefined: any system; '': no system */
  system: string | undefined;
  value: string;
}

/** Parameters every search accepts and that change nothing here */
const IGNORED = new Set(['_format', '_pretty']);

export function invalidSearch(message: string): DomainError {
  return new DomainError('BAD_REQUEST', message);
}

/** The parameters of a search, each at most once; unknown names refused */
export function readSearchParams(query: URLSearchParams, known: readonly string[]): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of query) {
    if (IGNORED.has(name)) continue;
    if (!known.includes(name)) throw invalidSearch(`Unknown search parameter "${name}". Supported: ${known.join(', ')}.`);
    if (params.has(name)) throw invalidSearch(`Give "${name}" once (several values: separate them with commas).`);
    if (!value.trim()) throw invalidSearch(`"${name}" is empty.`);
    params.set(name, value.trim());
  }
  return params;
}

export function parseToken(raw: string): TokenValue {
  const bar = raw.indexOf('|');
  if (bar < 0) return { system: undefined, value: raw };
  const value = raw.slice(bar + 1);
  if (!value) throw invalidSearch(`"${raw}": give a value after "|".`);
  return { system: raw.slice(0, bar), value };
}

/**
 * Does a patient (its issuer) match the system of a patient.identifier token?
 * The system this API writes, the bare issuer, and for an issuer that is an
 * OID (1.2.3) its URI urn:oid:1.2.3, the form hospital systems use.
 */
export function issuerMatches(token: TokenValue, issuer: string): boolean {
  if (token.system === undefined) return true;
  if (token.system === '') return issuer === '';
  if (/^[0-2](\.\d+)+$/.test(issuer) && token.system === `urn:oid:${issuer}`) return true;
  return identifierSystemOf(issuer) === token.system || issuer === token.system;
}

/** "Patient/abc" or "abc" → "abc"; another type is refused */
export function referenceId(raw: string, type: string, parameter: string): string {
  const id = raw.startsWith(`${type}/`) ? raw.slice(type.length + 1) : raw;
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalidSearch(`"${parameter}" must be ${type}/<id>.`);
  return id;
}

/** A Study Instance UID, given bare, as urn:oid:<uid> or as urn:dicom:uid|urn:oid:<uid> */
export function studyUidOf(raw: string, parameter: string): string {
  const token = parseToken(raw);
  if (token.system !== undefined && token.system !== 'urn:dicom:uid') throw invalidSearch(`"${parameter}": the only system is urn:dicom:uid.`);
  const uid = token.value.startsWith('urn:oid:') ? token.value.slice('urn:oid:'.length) : token.value;
  if (!/^[0-9.]{1,64}$/.test(uid)) throw invalidSearch(`"${parameter}" must be a DICOM UID (e.g. urn:oid:1.2.3).`);
  return uid;
}

/** _count: how many matches the Bundle carries (0: the total only); `total` is always every match */
export function countOf(params: Map<string, string>, fallback: number, max: number): number {
  const raw = params.get('_count');
  if (raw === undefined) return fallback;
  if (!/^\d{1,6}$/.test(raw)) throw invalidSearch('"_count" must be a whole number.');
  return Math.min(Number(raw), max);
}
