// The one DICOMweb client both servers get in a bench: same requests, same
// headers (apart from credentials), same concurrency. Timings include reading
// the whole response body, which is what a viewer waits for.
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';

export interface BenchServer {
  name: string;
  dicomwebUrl: string;
  /** Credentials (Telepacs) or none (Orthanc with authentication off) */
  headers: Record<string, string>;
}

export interface TimedResponse {
  ms: number;
  status: number;
  bytes: number;
  body: Buffer;
  contentType: string;
}

export const ACCEPT = {
  json: 'application/dicom+json',
  // PS3.18 8.7.3.5.2: octet-stream frames default to Explicit VR Little
  // Endian, the transfer syntax the bench series is stored in, so neither
  // server has to transcode.
  nativeFrame: 'multipart/related; type="application/octet-stream"',
} as const;

export async function timedGet(server: BenchServer, pathAndQuery: string, accept: string): Promise<TimedResponse> {
  const start = performance.now();
  const response = await fetch(`${server.dicomwebUrl}${pathAndQuery}`, { headers: { ...server.headers, accept } });
  const body = Buffer.from(await response.arrayBuffer());
  const ms = performance.now() - start;
  return { ms, status: response.status, bytes: body.length, body, contentType: response.headers.get('content-type') ?? '' };
}

/** GET that must answer 200; returns the timing and the body. */
export async function timedGetOk(server: BenchServer, pathAndQuery: string, accept: string): Promise<TimedResponse> {
  const result = await timedGet(server, pathAndQuery, accept);
  if (result.status !== 200) {
    throw new Error(`${server.name} GET ${pathAndQuery}: HTTP ${result.status} ${result.body.subarray(0, 300).toString('utf8')}`);
  }
  return result;
}

/** A PS3.18 10.5 STOW-RS body: multipart/related; type="application/dicom". */
export function stowBody(files: readonly Buffer[]): { body: Buffer<ArrayBuffer>; contentType: string } {
  const boundary = `telepacs-bench-${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const file of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`, 'latin1'), file, Buffer.from('\r\n', 'latin1'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { body: Buffer.concat(parts), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

export interface StowOptions {
  /** Instances per STOW request */
  batchSize: number;
  /** STOW requests in flight at once */
  concurrency: number;
}

/**
 * Stores `files` by STOW-RS in batches, `concurrency` requests at a time.
 * Returns the wall time; throws if any request is not a full success (200).
 * Building the request bodies is not timed: it is the same work for both.
 */
export async function stowAll(server: BenchServer, files: readonly Buffer[], options: StowOptions): Promise<number> {
  const bodies: { body: Buffer<ArrayBuffer>; contentType: string }[] = [];
  for (let i = 0; i < files.length; i += options.batchSize) bodies.push(stowBody(files.slice(i, i + options.batchSize)));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) {
      const { body, contentType } = bodies[next++];
      const response = await fetch(`${server.dicomwebUrl}/studies`, {
        method: 'POST',
        headers: { ...server.headers, 'content-type': contentType, accept: ACCEPT.json },
        body,
      });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${server.name} STOW: HTTP ${response.status} ${text.slice(0, 500)}`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, bodies.length) }, worker));
  return performance.now() - start;
}

export function median(values: readonly number[]): number {
  if (!values.length) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
