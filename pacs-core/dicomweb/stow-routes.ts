// STOW-RS (PS3.18 10.5): POST /studies and /studies/{study} with a
// multipart/related body of application/dicom parts. Each part is written to
// the store's incoming area while it arrives and goes through the one ingest
// path when complete; the response lists what was stored
// (ReferencedSOPSequence) and what was not, with a FailureReason and a
// human-readable ErrorComment per failed part (FailedSOPSequence). Limits
// (stow-limits.ts): request and part size (413), uploads per user (503).
import { ArchiveError, FAILURE_REASON, isArchiveError, toFailureReason } from '../errors';
import { peekUids } from '../dicom/parse-instance';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { megabytes, parseMediaType, parseMultipartEvents } from './multipart-parse';
import { DEFAULT_STOW_LIMITS, UploadGate } from './stow-limits';
import { InstanceReceiver, ingestInputOf, type ReceivedInstance } from '../instance-receiver';
import type { DicomwebRequest, DicomwebResponse, Route } from './types';

/** For requests built without an HTTP handler's own gate (tests that call routes directly). */
const defaultGate = new UploadGate(DEFAULT_STOW_LIMITS);

const UI = (value: string) => ({ vr: 'UI', Value: [value] });
const UR = (value: string) => ({ vr: 'UR', Value: [value] });

interface FailedItem {
  sopClassUid?: string;
  sopInstanceUid?: string;
  reason: number;
  comment: string;
}

export async function storeInstances(request: DicomwebRequest, params: Record<string, string>): Promise<DicomwebResponse> {
  const { principal, archive } = request;
  const expectedStudy = params.study;
  if (principal.storeFacilityId === null) {
    throw new ArchiveError('FORBIDDEN', 'this account may not store images (no facility role that allows it)');
  }
  const mediaType = parseMediaType(request.headers['content-type']);
  if (!mediaType || mediaType.type !== 'multipart/related') {
    throw new ArchiveError(
      'UNSUPPORTED_MEDIA_TYPE',
      'STOW-RS expects Content-Type: multipart/related; type="application/dicom"; boundary=...',
    );
  }
  const partType = (mediaType.parameters.type ?? 'application/dicom').toLowerCase();
  if (partType !== 'application/dicom') {
    // PS3.18 10.5.2: the metadata+bulkdata form (application/dicom+json) is optional
    throw new ArchiveError('UNSUPPORTED_MEDIA_TYPE', `STOW-RS of ${partType} is not supported; send application/dicom parts`);
  }
  const boundary = mediaType.parameters.boundary;
  if (!boundary) throw new ArchiveError('BAD_REQUEST', 'the multipart Content-Type has no boundary parameter');

  const facilityId = principal.storeFacilityId;
  const limits = request.stow?.limits ?? DEFAULT_STOW_LIMITS;
  // Refused before a byte of the body is read: the client learns the limit at once
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxRequestBytes) {
    throw new ArchiveError('PAYLOAD_TOO_LARGE', `the request is larger than the limit of ${megabytes(limits.maxRequestBytes)}`, {
      limitBytes: limits.maxRequestBytes,
    });
  }
  const release = (request.stow?.gate ?? defaultGate).enter(principal.userId ?? principal.label);

  const referenced: DicomJsonDataset[] = [];
  const failed: FailedItem[] = [];
  const studies = new Map<string, { patientId: string; facilityId: string }>();
  const origin = { kind: 'stow' as const, principalLabel: principal.label, userId: principal.userId };
  let parts = 0;
  let bodyError: unknown;
  // The part being received; null while skipping a part that is not application/dicom
  let receiver: InstanceReceiver | null | undefined;
  let skippedType = '';

  const ingestPart = async (part: ReceivedInstance, index: number) => {
    try {
      const { input, incoming } = ingestInputOf(part);
      const result = await archive.ingest(input, origin, facilityId, { expectedStudyInstanceUid: expectedStudy, ...(incoming ? { incoming } : {}), ...(principal.expectedSha256 ? { expectedSha256: principal.expectedSha256 } : {}) });
      studies.set(result.studyInstanceUid, { patientId: result.patientId, facilityId: result.facilityId });
      referenced.push({
        '00081150': UI(result.sopClassUid),
        '00081155': UI(result.sopInstanceUid),
        '00081190': UR(
          `${request.baseUrl}/studies/${result.studyInstanceUid}/series/${result.seriesInstanceUid}/instances/${result.sopInstanceUid}`,
        ),
      });
    } catch (error) {
      if (isArchiveError(error) && error.code === 'STORAGE_FAILURE') archive.logger.error('STOW part not stored', { error: error.message });
      failed.push({
        ...peekUids(part.kind === 'whole' ? part.bytes : part.head),
        reason: toFailureReason(error),
        comment: `part ${index + 1}: ${isArchiveError(error) ? error.message : 'internal error'}`,
      });
      if (!isArchiveError(error)) archive.logger.error('unexpected STOW failure', { error: String(error) });
    }
  };

  try {
    // Not destroyed when we stop reading (too large, closing delimiter): the socket must live to carry the answer
    const events = parseMultipartEvents(request.body.iterator({ destroyOnReturn: false }), boundary, { maxPartBytes: limits.maxPartBytes, maxBodyBytes: limits.maxRequestBytes });
    for await (const event of events) {
      if (event.kind === 'part') {
        parts += 1;
        const contentType = parseMediaType(event.headers['content-type'])?.type ?? 'application/dicom';
        skippedType = contentType;
        receiver = contentType === 'application/dicom' ? new InstanceReceiver(archive.store.begin()) : null;
      } else if (event.kind === 'data') {
        receiver?.write(event.chunk);
      } else if (receiver) {
        const part = receiver.finish();
        receiver = undefined; // ingest owns its blob now
        await ingestPart(part, event.index);
      } else {
        failed.push({ reason: FAILURE_REASON.CANNOT_UNDERSTAND, comment: `part ${event.index + 1}: ${skippedType} is not application/dicom` });
      }
    }
  } catch (error) {
    // A broken body (bad framing, truncated or interrupted upload, too large)
    // ends the request; parts already stored stay stored and are reported.
    if (!isArchiveError(error) && !request.body.destroyed && !isClientAbort(error)) throw error;
    bodyError = isArchiveError(error) ? error : new ArchiveError('BAD_REQUEST', 'the upload was interrupted (the client closed the connection)');
  } finally {
    // Nothing of an unfinished part stays in the store's incoming area
    await receiver?.discard();
    release();
  }

  const studyUids = [...studies.keys()];
  await principal.audit({
    action: 'dicomweb.stow',
    outcome: referenced.length > 0 ? 'SUCCESS' : 'FAILURE',
    studyUid: studyUids.length === 1 ? studyUids[0] : undefined,
    patientId: studyUids.length === 1 ? studies.get(studyUids[0])?.patientId : undefined,
    facilityId: principal.storeFacilityId,
    resource: request.path,
    details: { stored: referenced.length, failed: failed.length, studies: studyUids, ...(bodyError ? { bodyError: String((bodyError as Error).message) } : {}) },
  });

  // Nothing stored, nothing else to report: the body's error (413 too large, 400 malformed) is the answer
  if (bodyError && referenced.length === 0 && failed.length === 0) throw bodyError;
  if (parts === 0) throw new ArchiveError('BAD_REQUEST', 'the multipart body contains no parts');

  const response: DicomJsonDataset = {};
  if (expectedStudy || studyUids.length === 1) response['00081190'] = UR(`${request.baseUrl}/studies/${expectedStudy ?? studyUids[0]}`);
  if (failed.length || bodyError) {
    const items: DicomJsonDataset[] = failed.map((item) => ({
      ...(item.sopClassUid ? { '00081150': UI(item.sopClassUid) } : {}),
      ...(item.sopInstanceUid ? { '00081155': UI(item.sopInstanceUid) } : {}),
      '00081197': { vr: 'US', Value: [item.reason] },
      // ErrorComment, as in a DIMSE response: says why in words (as dcm4chee does).
      // Not cut to LO's 64 characters: the whole reason is worth more to a user.
      '00000902': { vr: 'LO', Value: [item.comment] },
    }));
    if (bodyError) {
      const tooLarge = isArchiveError(bodyError) && bodyError.code === 'PAYLOAD_TOO_LARGE';
      items.push({ '00081197': { vr: 'US', Value: [tooLarge ? FAILURE_REASON.OUT_OF_RESOURCES : FAILURE_REASON.CANNOT_UNDERSTAND] }, '00000902': { vr: 'LO', Value: [String((bodyError as Error).message)] } });
    }
    response['00081198'] = { vr: 'SQ', Value: items };
  }
  if (referenced.length) response['00081199'] = { vr: 'SQ', Value: referenced };

  // PS3.18 Table 10.5.3-1: 200 all stored; 202 some stored; 409 none stored
  const status = failed.length === 0 && !bodyError ? 200 : referenced.length > 0 ? 202 : 409;
  const detail = failed.map((item) => item.comment).join('\n');
  return {
    status,
    headers: {
      'content-type': 'application/dicom+json',
      ...(detail ? { warning: warningHeader(detail.split('\n')[0]) } : {}),
    },
    body: JSON.stringify(response),
  };
}

function isClientAbort(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error as Error | undefined)?.message === 'aborted';
}

/**
 * RFC 9111 5.5 Warning: 299 with a quoted text. A reason may quote the
 * sender's bytes (a UID with a DEL in it), and a header value with a control
 * character or one above U+00FF makes node:http throw (it was a 500 for a
 * malformed file): printable ASCII only, the full reason is in the body.
 */
function warningHeader(text: string): string {
  return `299 telepacs "${text.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, "'").slice(0, 200)}"`;
}

export const stowRoutes: Route[] = [
  { method: 'POST', pattern: '/studies', handler: storeInstances },
  { method: 'POST', pattern: '/studies/:study', handler: storeInstances },
];
