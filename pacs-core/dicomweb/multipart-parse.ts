// Streaming parser for multipart/related request bodies (RFC 2387, PS3.18
// 8.6.1.2). Parts are yielded one at a time as soon as they are complete, so a
// STOW-RS of a whole series never sits in memory: at most one part (one DICOM
// instance) plus one network chunk.
import type { Readable } from 'node:stream';
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

export interface MultipartPart {
  index: number;
  headers: Record<string, string>;
  body: Buffer;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * A byte buffer that grows by doubling, so appending N bytes in chunks costs
 * O(N) (concatenating per chunk would be quadratic on a 100 MB multi-frame part).
 */
class GrowableBuffer {
  private data = Buffer.allocUnsafe(64 * 1024);
  length = 0;

  append(chunk: Buffer): void {
    if (this.length + chunk.length > this.data.length) {
      const next = Buffer.allocUnsafe(Math.max(this.data.length * 2, this.length + chunk.length));
      this.data.copy(next, 0, 0, this.length);
      this.data = next;
    }
    chunk.copy(this.data, this.length);
    this.length += chunk.length;
  }
  view(): Buffer {
    return this.data.subarray(0, this.length);
  }
  /** Drops the first n bytes. */
  consume(n: number): void {
    this.data.copy(this.data, 0, n, this.length);
    this.length -= n;
  }
}

/**
 * Yields each part of a multipart body. Throws ArchiveError('BAD_REQUEST') for
 * a body that does not follow the format (missing boundary, unterminated part),
 * and PAYLOAD_TOO_LARGE for a part above maxPartBytes.
 */
export async function* parseMultipart(body: Readable, boundary: string, maxPartBytes: number): AsyncGenerator<MultipartPart> {
  if (!boundary || boundary.length > 200) throw new ArchiveError('BAD_REQUEST', 'multipart body without a valid boundary parameter');
  // Every delimiter is CRLF--boundary; a CRLF is put in front of the body so
  // the first one (which may start the body, RFC 2046 5.1.1) looks the same.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const buffer = new GrowableBuffer();
  buffer.append(CRLF);
  let inPart = false; // between a delimiter line and the next delimiter
  let index = 0;
  let searchFrom = 0;
  let finished = false;

  const step = function* (): Generator<MultipartPart, 'more' | 'done'> {
    for (;;) {
      const view = buffer.view();
      const at = view.indexOf(delimiter, searchFrom);
      if (at < 0) {
        searchFrom = Math.max(0, view.length - delimiter.length);
        if (inPart && view.length > maxPartBytes + 64 * 1024) {
          throw new ArchiveError('PAYLOAD_TOO_LARGE', `part ${index + 1} of the request is larger than ${maxPartBytes} bytes`);
        }
        if (!inPart && view.length > 64 * 1024) {
          throw new ArchiveError('BAD_REQUEST', `multipart body does not contain the boundary "${boundary}"`);
        }
        return 'more';
      }
      const after = at + delimiter.length;
      // Need the two bytes after the delimiter ("--" = close) and its line end
      if (view.length < after + 2) return 'more';
      if (inPart) {
        yield parsePart(Buffer.from(view.subarray(0, at)), index++);
        buffer.consume(at); // the delimiter now starts the buffer
        inPart = false;
        searchFrom = 0;
        continue;
      }
      if (view[after] === 0x2d && view[after + 1] === 0x2d) return 'done';
      const lineEnd = view.indexOf(CRLF, after);
      if (lineEnd < 0) return 'more';
      buffer.consume(lineEnd); // keep the CRLF that ends the delimiter line
      inPart = true;
      searchFrom = CRLF.length;
    }
  };

  for await (const chunk of body as AsyncIterable<Buffer>) {
    buffer.append(chunk);
    const outcome = yield* step();
    if (outcome === 'done') {
      finished = true;
      break;
    }
  }
  if (!finished) {
    if (!inPart) throw new ArchiveError('BAD_REQUEST', `multipart body does not contain the boundary "${boundary}"`);
    throw new ArchiveError('BAD_REQUEST', 'multipart body ends without its closing boundary (truncated upload?)');
  }
}

function parsePart(raw: Buffer, index: number): MultipartPart {
  // raw starts with the CRLF that ended the delimiter line
  const content = raw.subarray(CRLF.length);
  const headerEnd = content.indexOf(HEADER_END);
  let headerText: string;
  let bodyStart: number;
  if (content.subarray(0, 2).equals(CRLF)) {
    headerText = ''; // no headers: body right after the blank line
    bodyStart = 2;
  } else if (headerEnd < 0) {
    throw new ArchiveError('BAD_REQUEST', `part ${index + 1} of the multipart body has no header/body separator`);
  } else {
    headerText = content.subarray(0, headerEnd).toString('latin1');
    bodyStart = headerEnd + HEADER_END.length;
  }
  const headers: Record<string, string> = {};
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { index, headers, body: content.subarray(bodyStart) };
}
