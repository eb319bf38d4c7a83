// Streaming parser for multipart/related request bodies (RFC 2387, PS3.18
// 8.6.1.2). It yields events — a part's headers, its body in pieces as they
// arrive, its end — so a consumer can write a part to disk while it arrives:
// nothing here holds more than one network chunk plus a delimiter's length
// (a 1 GiB part took the process from 0.3 to 4.4 GB when parts were buffered).
import { ArchiveError } from '../errors';

export interface MediaType {
  type: string; // lower-case "type/subtype"
  parameters: Record<string, string>; // lower-case names
}

/** Parses `multipart/related; type="application/dicom"; boundary=abc` */
export function parseMediaType(header: string | undefined): MediaType | null {
  if (!header) return null;
  const [typePart, ...rest] = splitOutsideQuotes(header, ';');
  const type = typePart.trim().toLowerCase();
  if (!/^[\w.+-]+\/[\w.+*-]+$/.test(type)) return null;
  const parameters: Record<string, string> = {};
  for (const raw of rest) {
    const eq = raw.indexOf('=');
    if (eq < 0) continue;
    const name = raw.slice(0, eq).trim().toLowerCase();
    let value = raw.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    parameters[name] = value;
  }
  return { type, parameters };
}

export function splitOutsideQuotes(value: string, separator: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== '\\') quoted = !quoted;
    if (ch === separator && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

export type MultipartEvent =
  | { kind: 'part'; index: number; headers: Record<string, string> }
  /** A piece of the current part's body, in order; valid only until the next event is asked for */
  | { kind: 'data'; chunk: Buffer }
  | { kind: 'end'; index: number; size: number };

export interface MultipartLimits {
  /** A part's body above this many bytes: PAYLOAD_TOO_LARGE */
  maxPartBytes: number;
  /** The whole body above this many bytes: PAYLOAD_TOO_LARGE */
  maxBodyBytes?: number;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Bytes before the first delimiter (preamble) or in a part's header block beyond which the body is refused */
const MAX_PREAMBLE_BYTES = 64 * 1024;
const MAX_PART_HEADER_BYTES = 16 * 1024;

export function megabytes(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

/**
 * Yields the events of a multipart body. Throws ArchiveError('BAD_REQUEST')
 * for a body that does not follow the format (missing boundary, unterminated
 * part), PAYLOAD_TOO_LARGE past a limit (before reading further). Bytes after
 * the closing delimiter (the epilogue) are not read.
 */
export async function* parseMultipartEvents(body: AsyncIterable<Buffer>, boundary: string, limits: MultipartLimits): AsyncGenerator<MultipartEvent> {
  if (!boundary || boundary.length > 200) throw new ArchiveError('BAD_REQUEST', 'multipart body without a valid boundary parameter');
  // Every delimiter is CRLF--boundary; a CRLF is put in front of the body so
  // the first one (which may start the body, RFC 2046 5.1.1) looks the same.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const keep = delimiter.length - 1; // a delimiter may be cut by a chunk boundary
  let pending: Buffer = CRLF;
  // Changed inside step(): cast so the loop below does not narrow it to its first value
  let state = 'preamble' as 'preamble' | 'headers' | 'body' | 'done';
  let index = -1;
  let partBytes = 0;
  let bodyBytes = 0;
  let skipped = 0; // preamble bytes already dropped

  const tooLarge = () =>
    new ArchiveError('PAYLOAD_TOO_LARGE', `part ${index + 1} is larger than the limit of ${megabytes(limits.maxPartBytes)} per instance`, {
      limitBytes: limits.maxPartBytes,
    });

  /** The events `pending` allows now; what cannot be decided yet stays in `pending`. */
  function* step(): Generator<MultipartEvent> {
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = pending.indexOf(delimiter);
        if (at < 0) {
          const safe = Math.max(0, pending.length - keep);
          if (state === 'body' && safe > 0) {
            partBytes += safe;
            if (partBytes > limits.maxPartBytes) throw tooLarge();
            yield { kind: 'data', chunk: pending.subarray(0, safe) };
          } else if (state === 'preamble') {
            skipped += safe;
            if (skipped > MAX_PREAMBLE_BYTES) throw new ArchiveError('BAD_REQUEST', `multipart body does not contain the boundary "${boundary}"`);
          }
          pending = pending.subarray(safe);
          return;
        }
        if (state === 'body' && at > 0) {
          partBytes += at;
          if (partBytes > limits.maxPartBytes) throw tooLarge();
          yield { kind: 'data', chunk: pending.subarray(0, at) };
        }
        pending = pending.subarray(at);
        // The two bytes after the delimiter ("--" = close) and the end of its line
        const after = delimiter.length;
        if (pending.length < after + 2) return;
        const closing = pending[after] === 0x2d && pending[after + 1] === 0x2d;
        const lineEnd = closing ? after + 2 : pending.indexOf(CRLF, after);
        if (lineEnd < 0) {
          if (pending.length > after + 1024) throw new ArchiveError('BAD_REQUEST', 'a multipart delimiter line does not end');
          return;
        }
        if (state === 'body') yield { kind: 'end', index, size: partBytes };
        if (closing) {
          state = 'done';
          return;
        }
        // Keep the CRLF that ends the delimiter line: an empty header block is then "\r\n\r\n" too
        pending = pending.subarray(lineEnd);
        state = 'headers';
      }
      if (state === 'headers') {
        const headerEnd = pending.indexOf(HEADER_END);
        if (headerEnd < 0) {
          if (pending.length > MAX_PART_HEADER_BYTES) throw new ArchiveError('BAD_REQUEST', `part ${index + 2} of the multipart body has no header/body separator`);
          return;
        }
        index += 1;
        partBytes = 0;
        yield { kind: 'part', index, headers: parseHeaders(pending.subarray(CRLF.length, headerEnd).toString('latin1')) };
        // The body starts after the blank line; the delimiter search needs the CRLF in front of it
        pending = pending.subarray(headerEnd + HEADER_END.length);
        state = 'body';
      }
      if (state === 'done') return;
    }
  }

  for await (const chunk of body) {
    bodyBytes += chunk.length;
    if (limits.maxBodyBytes !== undefined && bodyBytes > limits.maxBodyBytes) {
      throw new ArchiveError('PAYLOAD_TOO_LARGE', `the request is larger than the limit of ${megabytes(limits.maxBodyBytes)}`, {
        limitBytes: limits.maxBodyBytes,
      });
    }
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    yield* step();
    if (state === 'done') return;
  }
  if (state === 'preamble') throw new ArchiveError('BAD_REQUEST', `multipart body does not contain the boundary "${boundary}"`);
  throw new ArchiveError('BAD_REQUEST', 'multipart body ends without its closing boundary (truncated upload?)');
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export interface MultipartPart {
  index: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Whole parts, each collected in memory: for small bodies (tests, the upload page's checks), never for STOW. */
export async function* parseMultipart(body: AsyncIterable<Buffer>, boundary: string, maxPartBytes: number): AsyncGenerator<MultipartPart> {
  let current: { index: number; headers: Record<string, string>; chunks: Buffer[] } | undefined;
  for await (const event of parseMultipartEvents(body, boundary, { maxPartBytes })) {
    if (event.kind === 'part') current = { index: event.index, headers: event.headers, chunks: [] };
    else if (event.kind === 'data') current?.chunks.push(Buffer.from(event.chunk));
    else if (current) yield { index: current.index, headers: current.headers, body: Buffer.concat(current.chunks) };
  }
}
