// multipart/related writer (RFC 2387, PS3.18 8.7.3.1) that streams parts as
// they are produced: a study retrieve must not hold the study in memory, so
// parts are pulled one at a time and a part body may itself be a stream.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

export interface MultipartPart {
  /** Content-Type of the part, e.g. 'application/dicom; transfer-syntax=1.2.840.10008.1.2.1' */
  contentType: string;
  /** Content-Location (PS3.18 8.7.3.1: optional, identifies the resource in the part) */
  contentLocation?: string;
  body: Buffer | Readable;
}

export function newBoundary(): string {
  return `telepacs-${randomBytes(12).toString('hex')}`;
}

/** The response Content-Type; `type` is quoted because it contains a "/" (RFC 2387 3.1). */
export function multipartContentType(partType: string, boundary: string): string {
  return `multipart/related; type="${partType}"; boundary=${boundary}`;
}

/**
 * Yields the encoded multipart body. Each part's header is written just
 * before its body so that a slow producer (decode, blob read) delays only its
 * own part. An empty part list still yields a valid (empty) multipart body.
 */
export async function* writeMultipart(
  parts: AsyncIterable<MultipartPart> | Iterable<MultipartPart>,
  boundary: string,
): AsyncGenerator<Buffer> {
  for await (const part of parts) {
    let header = `--${boundary}\r\nContent-Type: ${part.contentType}\r\n`;
    if (part.contentLocation) header += `Content-Location: ${part.contentLocation}\r\n`;
    if (Buffer.isBuffer(part.body)) header += `Content-Length: ${part.body.length}\r\n`;
    yield Buffer.from(`${header}\r\n`, 'latin1');
    if (Buffer.isBuffer(part.body)) {
      yield part.body;
    } else {
      for await (const chunk of part.body) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    }
    yield Buffer.from('\r\n', 'latin1');
  }
  yield Buffer.from(`--${boundary}--\r\n`, 'latin1');
}
