// One error type for the archive, with a code that each transport maps once:
// toHttpStatus() for DICOMweb, toDimseStatus() for DIMSE (issue 3).

export type ArchiveErrorCode =
  | 'NOT_DICOM' // not a DICOM Part 10 file / dataset
  | 'TRUNCATED' // ends before an element's declared length
  | 'MISSING_UID' // Study, Series or SOP Instance UID absent or invalid
  | 'UNSUPPORTED' // parsable but something we cannot store or serve (e.g. unknown transfer syntax)
  | 'DUPLICATE_CONFLICT' // same SOP Instance UID already stored with different content
  | 'UID_CONFLICT' // a UID already belongs to another study/series/facility
  | 'STUDY_UID_MISMATCH' // STOW-RS to /studies/{study} with an instance of another study
  | 'FORBIDDEN' // authenticated, but this role may not do this (never used to hide existence: that is NOT_FOUND)
  | 'BAD_REQUEST' // malformed query parameters, paths, bodies
  | 'NOT_FOUND'
  | 'NOT_ACCEPTABLE' // cannot produce any representation the Accept header allows
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHENTICATED'
  | 'STORAGE_FAILURE' // disk full, I/O error
  | 'INTERNAL';

export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function isArchiveError(error: unknown): error is ArchiveError {
  return error instanceof ArchiveError;
}

const HTTP_STATUS: Record<ArchiveErrorCode, number> = {
  NOT_DICOM: 400,
  TRUNCATED: 400,
  MISSING_UID: 400,
  UNSUPPORTED: 400,
  DUPLICATE_CONFLICT: 409,
  UID_CONFLICT: 409,
  STUDY_UID_MISMATCH: 409,
  FORBIDDEN: 403,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  NOT_ACCEPTABLE: 406,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHENTICATED: 401,
  STORAGE_FAILURE: 503,
  INTERNAL: 500,
};

export function toHttpStatus(error: unknown): number {
  return isArchiveError(error) ? HTTP_STATUS[error.code] : 500;
}

/**
 * PS3.18 Table 10.5.3-2 / PS3.4 Annex B.2.3 failure reasons used in a STOW-RS
 * FailedSOPSequence (0008,1197) FailureReason and as C-STORE statuses.
 */
export const FAILURE_REASON = {
  PROCESSING_FAILURE: 0x0110,
  DUPLICATE_SOP_INSTANCE: 0x0111,
  NO_SUCH_SOP_CLASS: 0x0122,
  OUT_OF_RESOURCES: 0xa700,
  DATA_SET_DOES_NOT_MATCH_SOP_CLASS: 0xa900,
  CANNOT_UNDERSTAND: 0xc000,
  REFERENCED_TRANSFER_SYNTAX_NOT_SUPPORTED: 0xc122,
  /** POST /studies/{study} with an instance of another study (PS3.18 10.5.1): a
   *  Cxxx "cannot understand"-class failure, kept distinct from 0xC000 so clients can tell it apart. */
  STUDY_UID_MISMATCH: 0xc409,
} as const;

export function toFailureReason(error: unknown): number {
  if (!isArchiveError(error)) return FAILURE_REASON.PROCESSING_FAILURE;
  switch (error.code) {
    case 'NOT_DICOM':
    case 'TRUNCATED':
    case 'MISSING_UID':
      return FAILURE_REASON.CANNOT_UNDERSTAND;
    case 'UNSUPPORTED':
      return FAILURE_REASON.REFERENCED_TRANSFER_SYNTAX_NOT_SUPPORTED;
    case 'DUPLICATE_CONFLICT':
      return FAILURE_REASON.DUPLICATE_SOP_INSTANCE;
    case 'STUDY_UID_MISMATCH':
      return FAILURE_REASON.STUDY_UID_MISMATCH;
    case 'UID_CONFLICT':
      return FAILURE_REASON.PROCESSING_FAILURE;
    case 'STORAGE_FAILURE':
      return FAILURE_REASON.OUT_OF_RESOURCES;
    default:
      return FAILURE_REASON.PROCESSING_FAILURE;
  }
}
