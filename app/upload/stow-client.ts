// The browser's side of STOW-RS (PS3.18 10.5): builds the multipart/related
// body and reads the DICOM JSON answer back into one result per file.
// Pure functions, shared by the upload panel and its tests.

export interface StowPartResult {
  status: 'stored' | 'failed' | 'unknown';
  sopInstanceUid?: string;
  /** Human-readable: the server's ErrorComment, else the FailureReason's meaning */
  reason?: string;
}

export interface StowResponseSummary {
  /** studyInstanceUid: read from the instance's RetrieveURL (…/studies/{uid}/series/…) */
  stored: { sopInstanceUid?: string; studyInstanceUid?: string }[];
  failed: { sopInstanceUid?: string; failureReason?: number; comment?: string; partNumber?: number }[];
}

type DicomJsonElement = { vr?: string; Value?: unknown[] };
type DicomJsonDataset = Record<string, DicomJsonElement | undefined>;

// PS3.4 Annex B.2.3 and PS3.18 Table 10.5.3-2
const FAILURE_REASONS: Record<number, string> = {
  0x0110: 'Processing failure',
  0x0111: 'Duplicate instance with different content',
  0x0122: 'SOP class not supported',
  0x0124: 'Not authorized',
  0xa700: 'Archive out of resources',
  0xa900: 'Data set does not match its SOP class',
  0xc000: 'Cannot understand (not DICOM, truncated or missing UIDs)',
  0xc122: 'Transfer syntax not supported',
  0xc409: 'Study Instance UID does not match',
};

export function describeFailureReason(code: number | undefined): string {
  if (code === undefined) return 'Failed';
  return FAILURE_REASONS[code] ?? `Failure 0x${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

export function newBoundary(): string {
  const random = new Uint8Array(16);
  crypto.getRandomValues(random);
  return `telepacs-${Array.from(random, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

export function stowContentType(boundary: string): string {
  return `multipart/related; type="application/dicom"; boundary=${boundary}`;
}

/** One application/dicom part per file (PS3.18 8.6.1.2), as a Blob the browser streams. */
export function buildStowBody(files: readonly Uint8Array<ArrayBuffer>[], boundary: string): Blob {
  const parts: BlobPart[] = [];
  for (const file of files) {
    parts.push(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${file.byteLength}\r\n\r\n`, file, '\r\n');
  }
  parts.push(`--${boundary}--\r\n`);
  return new Blob(parts, { type: stowContentType(boundary) });
}

function firstString(element: DicomJsonElement | undefined): string | undefined {
  const value = element?.Value?.[0];
  return typeof value === 'string' ? value : undefined;
}

function firstNumber(element: DicomJsonElement | undefined): number | undefined {
  const value = element?.Value?.[0];
  return typeof value === 'number' ? value : undefined;
}

function items(element: DicomJsonElement | undefined): DicomJsonDataset[] {
  return (element?.Value ?? []).filter((item): item is DicomJsonDataset => typeof item === 'object' && item !== null);
}

/** Reads ReferencedSOPSequence (0008,1199) and FailedSOPSequence (0008,1198). */
export function parseStowResponse(body: unknown): StowResponseSummary {
  const dataset = (typeof body === 'object' && body !== null ? body : {}) as DicomJsonDataset;
  return {
    stored: items(dataset['00081199']).map((item) => {
      const studyInstanceUid = /\/studies\/([0-9.]+)\/series\//.exec(firstString(item['00081190']) ?? '')?.[1];
      return { sopInstanceUid: firstString(item['00081155']), ...(studyInstanceUid ? { studyInstanceUid } : {}) };
    }),
    failed: items(dataset['00081198']).map((item) => {
      const comment = firstString(item['00000902']);
      // Telepacs' ErrorComment starts "part N:" (1-based), which ties a
      // failure to its file even when the file had no readable UID.
      const partMatch = comment ? /^part (\d+):\s*/.exec(comment) : null;
      return {
        sopInstanceUid: firstString(item['00081155']),
        failureReason: firstNumber(item['00081197']),
        comment: partMatch ? comment!.slice(partMatch[0].length) : comment,
        partNumber: partMatch ? Number(partMatch[1]) : undefined,
      };
    }),
  };
}

/**
 * One result per part of a batch. PS3.18 does not promise that the response
 * lists instances in the order of the parts, so: failures that name their part
 * go to that part; then, if exactly as many parts remain as were stored, the
 * stored instances go to them in order (Telepacs ingests parts in order);
 * otherwise the rest is 'unknown' and only the batch totals are certain.
 */
export function assignStowResults(partCount: number, response: StowResponseSummary): StowPartResult[] {
  const results: (StowPartResult | undefined)[] = new Array(partCount).fill(undefined);
  const unplacedFailures: StowResponseSummary['failed'] = [];
  for (const failure of response.failed) {
    const index = failure.partNumber !== undefined ? failure.partNumber - 1 : -1;
    if (index >= 0 && index < partCount && !results[index]) {
      results[index] = failedResult(failure);
    } else unplacedFailures.push(failure);
  }
  const open = results.flatMap((result, index) => (result ? [] : [index]));
  if (open.length === response.stored.length + unplacedFailures.length && unplacedFailures.length === 0) {
    open.forEach((partIndex, order) => {
      results[partIndex] = { status: 'stored', sopInstanceUid: response.stored[order].sopInstanceUid };
    });
  } else if (open.length > 0 && response.stored.length === 0 && unplacedFailures.length === open.length) {
    open.forEach((partIndex, order) => {
      results[partIndex] = failedResult(unplacedFailures[order]);
    });
  }
  return results.map((result) => result ?? { status: 'unknown', reason: 'See the batch summary' });
}

function failedResult(failure: StowResponseSummary['failed'][number]): StowPartResult {
  return {
    status: 'failed',
    sopInstanceUid: failure.sopInstanceUid,
    reason: failure.comment ?? describeFailureReason(failure.failureReason),
  };
}

/** The archive's STOW limits, as the upload page is told them (README: STOW-RS limits) */
export interface UploadLimits {
  maxPartBytes: number;
  maxRequestBytes: number;
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** Why a file is not sent at all: larger than the archive takes in one instance. */
export function oversizeReason(size: number, limits: UploadLimits): string | undefined {
  const limit = Math.min(limits.maxPartBytes, limits.maxRequestBytes);
  return size > limit ? `Larger than the archive accepts (${mib(limit)} per file)` : undefined;
}

/** A whole request refused (not a DICOM JSON answer): what to tell the user, from the status and the archive's JSON `error`. */
export function describeHttpRefusal(status: number, text: string): string {
  let message = '';
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    message = text.trim().slice(0, 200);
  }
  if (status === 401) return 'Your session has ended: sign in again.';
  if (status === 403) return 'Your account may not store images in this archive.';
  if (status === 413) return message ? `Too large for the archive: ${message}.` : 'Too large for the archive.';
  if (status === 503) return message ? `The archive is busy: ${message}.` : 'The archive is busy: try again later.';
  return message ? `Archive answered ${status}: ${message}` : `Archive answered ${status}.`;
}

/** Milliseconds to wait before resending after 503, from Retry-After (seconds or an HTTP date); 5 s when absent. */
export function retryDelayMs(retryAfter: string | null, now = Date.now()): number {
  if (retryAfter && /^\d+$/.test(retryAfter.trim())) return Math.min(60, Number(retryAfter)) * 1000;
  const date = retryAfter ? Date.parse(retryAfter) : NaN;
  return Number.isNaN(date) ? 5000 : Math.min(60_000, Math.max(0, date - now));
}

/** Groups files into requests of at most maxFiles files and (unless one file is larger) maxBytes. */
export function planBatches<T extends { size: number }>(files: readonly T[], maxFiles = 20, maxBytes = 64 * 1024 * 1024): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && (current.length >= maxFiles || bytes + file.size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Files on a CD or in a zip that are not images to store: the DICOMDIR index
 * (PS3.10 media directory, no Study UID), OS clutter, viewer programs.
 */
export function skipReason(path: string): string | undefined {
  const name = path.split('/').pop() ?? path;
  if (/^DICOMDIR$/i.test(name)) return 'DICOMDIR (CD index, not an image)';
  if (name.startsWith('.') || path.includes('__MACOSX/')) return 'Hidden or system file';
  if (/^(thumbs\.db|desktop\.ini|autorun\.inf)$/i.test(name)) return 'System file';
  if (/\.(exe|dll|htm|html|txt|pdf|ini|inf|xml|js|css|jpg|jpeg|png|gif|ico|bat|cmd|sh)$/i.test(name)) return 'Not a DICOM file (by name)';
  return undefined;
}

export function isZipName(path: string): boolean {
  return /\.zip$/i.test(path);
}
