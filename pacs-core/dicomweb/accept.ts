// Content negotiation for WADO-RS (PS3.18 8.7): the Accept header is a list of
// media ranges with parameters (`type` for multipart/related, `transfer-syntax`)
// and q-values (RFC 9110 12.5.1). Handlers ask "which of my representations
// does the client prefer?" and answer 406 with a precise message when none.
import type { IncomingHttpHeaders } from 'node:http';
import { ArchiveError } from '../errors';

export interface MediaRange {
  /** lower-case, e.g. "multipart/related", "image/*", "*\/*" */
  mediaType: string;
  /** lower-case parameter names; values unquoted, `type` lower-cased */
  parameters: Record<string, string>;
  q: number;
  /** position in the header: ties in q keep the client's order */
  order: number;
}

/** Splits on `sep` outside double quotes (parameter values may be quoted and contain `,` or `;`). */
function splitOutsideQuotes(value: string, sep: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    if (ch === sep && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/**
 * Parses an Accept header into media ranges sorted by preference (q desc, then
 * header order). An absent or empty header means "*\/*" (RFC 9110 12.5.1).
 * Malformed entries are skipped rather than failing the request: a client that
 * sends one odd range among good ones should still be served.
 */
export function parseAccept(header: string | string[] | undefined): MediaRange[] {
  const raw = Array.isArray(header) ? header.join(',') : (header ?? '');
  const ranges: MediaRange[] = [];
  splitOutsideQuotes(raw, ',').forEach((entry, order) => {
    const [typePart, ...paramParts] = splitOutsideQuotes(entry, ';').map((s) => s.trim());
    if (!typePart || !/^[\w.+*-]+\/[\w.+*-]+$/.test(typePart)) return;
    const parameters: Record<string, string> = {};
    let q = 1;
    for (const param of paramParts) {
      const eq = param.indexOf('=');
      if (eq <= 0) continue;
      const name = param.slice(0, eq).trim().toLowerCase();
      let value = param.slice(eq + 1).trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      if (name === 'q') {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(Math.max(parsed, 0), 1) : 1;
      } else {
        parameters[name] = name === 'type' ? value.toLowerCase() : value;
      }
    }
    if (q > 0) ranges.push({ mediaType: typePart.toLowerCase(), parameters, q, order });
  });
  if (ranges.length === 0 && raw.trim() === '') ranges.push({ mediaType: '*/*', parameters: {}, q: 1, order: 0 });
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order);
}

export function acceptHeader(headers: IncomingHttpHeaders): MediaRange[] {
  return parseAccept(headers.accept);
}

/** True when `range` (possibly a wildcard like image/* or *\/*) covers the concrete `mediaType`. */
export function rangeCovers(range: string, mediaType: string): boolean {
  if (range === '*/*') return true;
  const [rangeType, rangeSub] = range.split('/');
  const [type, sub] = mediaType.split('/');
  return rangeType === type && (rangeSub === '*' || rangeSub === sub);
}

/**
 * Aliases real clients send for the PS3.18 Table 8.7.3-2 frame media types:
 * dicomweb-client uses image/x-jls, image/jhc and image/x-dicom-rle.
 */
const MEDIA_TYPE_ALIASES: Record<string, string> = {
  'image/x-jls': 'image/jls',
  'image/jhc': 'image/jphc',
  'image/x-dicom-rle': 'image/dicom-rle',
};

export function canonicalMediaType(mediaType: string): string {
  return MEDIA_TYPE_ALIASES[mediaType] ?? mediaType;
}

/**
 * One acceptable way to send the parts of a multipart/related (or single-part)
 * response: the part media type (possibly a wildcard) and the requested
 * transfer syntax ('*' = as stored, undefined = the media type's default).
 */
export interface PartPreference {
  multipart: boolean;
  /** canonical part media type, or a wildcard ("*\/*", "image/*") */
  partType: string;
  transferSyntax: string | undefined;
  q: number;
}

/**
 * Reads the Accept ranges as part preferences. `multipart/related` without a
 * `type` parameter (or multipart/*, *\/*) means "the resource's default part
 * type" (PS3.18 8.7.3.3.1), given as `defaultPartType`. Single-part ranges are
 * kept (multipart: false) so a handler can serve e.g. application/dicom alone.
 */
export function partPreferences(ranges: MediaRange[], defaultPartType: string): PartPreference[] {
  const out: PartPreference[] = [];
  for (const range of ranges) {
    const transferSyntax = range.parameters['transfer-syntax'];
    if (range.mediaType === 'multipart/related' || range.mediaType === 'multipart/*') {
      const type = range.parameters.type ? canonicalMediaType(range.parameters.type) : defaultPartType;
      out.push({ multipart: true, partType: type, transferSyntax, q: range.q });
    } else if (range.mediaType === '*/*') {
      out.push({ multipart: true, partType: defaultPartType, transferSyntax, q: range.q });
    } else {
      out.push({ multipart: false, partType: canonicalMediaType(range.mediaType), transferSyntax, q: range.q });
    }
  }
  return out;
}

/** Whether the client accepts a gzip Content-Encoding (RFC 9110 12.5.3). */
export function acceptsGzip(headers: IncomingHttpHeaders): boolean {
  const raw = headers['accept-encoding'];
  if (!raw) return false;
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  let gzip: number | undefined;
  let star: number | undefined;
  for (const entry of value.split(',')) {
    const [coding, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Number.isFinite(q) ? q : 1;
    if (coding === '*') star = Number.isFinite(q) ? q : 1;
  }
  return (gzip ?? star ?? 0) > 0;
}

export function notAcceptable(message: string): ArchiveError {
  return new ArchiveError('NOT_ACCEPTABLE', message);
}

/** Renders the Accept header back for error messages. */
export function describeAccept(headers: IncomingHttpHeaders): string {
  const raw = headers.accept;
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  return value && value.trim() ? value : '*/*';
}
