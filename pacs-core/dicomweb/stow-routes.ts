// STOW-RS (PS3.18 10.5): POST /studies and /studies/{study} with a
// multipart/related body of application/dicom parts. Each part goes through
// the one ingest path as it arrives; the response lists what was stored
// (ReferencedSOPSequence) and what was not, with a FailureReason and a
// human-readable ErrorComment per failed part (FailedSOPSequence).
import { ArchiveError, FAILURE_REASON, isArchiveError, toFailureReason } from '../errors';
import { peekUids } from '../dicom/parse-instance';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { parseMediaType, parseMultipart } from './multipart-parse';
import type { DicomwebRequest, DicomwebResponse, Route } from './types';

/** The largest single instance accepted in one part (a long multi-frame US or a WSI level). */
export const MAX_STOW_PART_BYTES = 2 * 1024 * 1024 * 1024 - 1;

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

  const referenced: DicomJsonDataset[] = [];
  const failed: FailedItem[] = [];
  const studies = new Map<string, { patientId: string; facilityId: string }>();
  const origin = { kind: 'stow' as const, principalLabel: principal.label, userId: principal.userId };
  let parts = 0;
  let bodyError: unknown;

  try {
    for await (const part of parseMultipart(request.body, boundary, MAX_STOW_PART_BYTES)) {
      parts += 1;
      const contentType = parseMediaType(part.headers['content-type'])?.type ?? 'application/dicom';
      if (contentType !== 'application/dicom') {
        failed.push({ reason: FAILURE_REASON.CANNOT_UNDERSTAND, comment: `part ${part.index + 1}: ${contentType} is not application/dicom` });
        continue;
      }
      try {
        const result = await archive.ingest(part.body, origin, principal.storeFacilityId, { expectedStudyInstanceUid: expectedStudy });
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
          ...peekUids(part.body),
          reason: toFailureReason(error),
          comment: `part ${part.index + 1}: ${isArchiveError(error) ? error.message : 'internal error'}`,
        });
        if (!isArchiveError(error)) archive.logger.error('unexpected STOW failure', { error: String(error) });
      }
    }
  } catch (error) {
    // A broken body (bad framing, truncated upload, too large) ends the request;
    // parts already stored stay stored and are reported.
    if (!isArchiveError(error)) throw error;
    bodyError = error;
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

  if (parts === 0 && bodyError) throw bodyError;
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
      items.push({ '00081197': { vr: 'US', Value: [FAILURE_REASON.CANNOT_UNDERSTAND] }, '00000902': { vr: 'LO', Value: [String((bodyError as Error).message)] } });
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
