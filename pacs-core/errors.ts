// One error type for the archive, with a code that each transport maps once:
// toHttpStatus() for DICOMweb, toDimseStatus() for DIMSE (issue 3). An error
// that says the database is away (database-unavailable.ts) is mapped as
// UNAVAILABLE wherever it was thrown (asArchiveError).
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from './database-unavailable';

export type ArchiveErrorCode =
  | 'NOT_DICOM' // not a DICOM Part 10 file / dataset
  | 'TRUNCATED' // ends before an element's declared length
  | 'MISSING_UID' // Study, Series or SOP Instance UID absent or invalid
  | 'MALFORMED' // breaks an encoding rule of PS3.5 (undefined length on a text, NUL in a UID or a text, unknown VR)
  | 'UNSUPPORTED' // parsable but something we cannot store or serve (e.g. unknown transfer syntax)
  | 'DUPLICATE_CONFLICT' // same SOP Instance UID already stored with different content
  | 'UID_CONFLICT' // a UID already belongs to another study/series/facility
  | 'STUDY_UID_MISMATCH' // STOW-RS to /studies/{study} with an instance of another study
  | 'FORBIDDEN' // authenticated, but this role may not do this (never used to hide existence: that is NOT_FOUND)
  | 'BAD_REQUEST' // malformed query parameters, paths, bodies
  | 'NOT_FOUND'
  | 'NOT_ACCEPTABLE' // cannot produce any representation the Accept header allows
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE' // above a configured size limit (details.limitBytes)
  | 'BUSY' // too many operations of this caller at once: retry later (details.retryAfterSeconds)
  | 'UNAUTHENTICATED'
  | 'STORAGE_FAILURE' // disk full, I/O error
  | 'UNAVAILABLE' // the database cannot be reached (restart, failover): retry after details.retryAfterSeconds
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

/**
 * The error as the transports answer it: a database that cannot be reached
 * becomes UNAVAILABLE (HTTP 503 + Retry-After, DIMSE 0xA700); anything else
 * is returned as it is.
 */
export function asArchiveError(error: unknown): unknown {
  if (isArchiveError(error) || !isDatabaseUnavailable(error)) return error;
  return new ArchiveError('UNAVAILABLE', 'the archive database cannot be reached; try again shortly', { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS });
}

const HTTP_STATUS: Record<ArchiveErrorCode, number> = {
  NOT_DICOM: 400,
  TRUNCATED: 400,
  MISSING_UID: 400,
  MALFORMED: 400,
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
  // PS3.18 Table 10.5.3-1 lists 503 Busy for STOW-RS: what a DICOMweb client retries
  BUSY: 503,
  UNAUTHENTICATED: 401,
  STORAGE_FAILURE: 503,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function toHttpStatus(error: unknown): number {
  const known = asArchiveError(error);
  return isArchiveError(known) ? HTTP_STATUS[known.code] : 500;
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

export function toFailureReason(failure: unknown): number {
  const error = asArchiveError(failure);
  if (!isArchiveError(error)) return FAILURE_REASON.PROCESSING_FAILURE;
  switch (error.code) {
    case 'NOT_DICOM':
    case 'TRUNCATED':
    case 'MISSING_UID':
    case 'MALFORMED':
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
    case 'UNAVAILABLE':
    case 'PAYLOAD_TOO_LARGE':
    case 'BUSY':
      return FAILURE_REASON.OUT_OF_RESOURCES;
    default:
      return FAILURE_REASON.PROCESSING_FAILURE;
  }
}

/**
 * DIMSE status of a failed operation (PS3.7 Annex C; C-STORE statuses in
 * PS3.4 B.2.3, C-FIND/MOVE/GET in PS3.4 C.4.1.1.4, C.4.2.1.5, C.4.3.1.4).
 * The one mapper for every DIMSE service: handlers never pick statuses
 * themselves. The ErrorComment (0000,0902) is an LO: at most 64 characters.
 */
export const DIMSE_STATUS = {
  PROCESSING_FAILURE: 0x0110,
  DUPLICATE_SOP_INSTANCE: 0x0111,
  NOT_AUTHORIZED: 0x0124,
  OUT_OF_RESOURCES: 0xa700,
  /** C-MOVE/C-GET (PS3.4 C.4.2.1.5, C.4.3.1.4): "Refused: Out of resources – Unable to calculate number of matches" */
  OUT_OF_RESOURCES_RETRIEVE: 0xa701,
  /** C-STORE: data set does not match SOP class; C-FIND/MOVE/GET: identifier does not match SOP class */
  DOES_NOT_MATCH_SOP_CLASS: 0xa900,
  CANNOT_UNDERSTAND: 0xc000,
} as const;

export interface DimseFailure {
  status: number;
  errorComment: string;
}

export function toDimseStatus(failure: unknown, service: 'store' | 'find' | 'retrieve' = 'store'): DimseFailure {
  const error = asArchiveError(failure);
  const message = error instanceof Error ? error.message : String(error);
  // LO allows 64 characters of the default repertoire; strip anything else
  const errorComment = message.replace(/[^\x20-\x7e]/g, '?').replace(/\\/g, '/').slice(0, 64);
  if (!isArchiveError(error)) return { status: DIMSE_STATUS.PROCESSING_FAILURE, errorComment: 'internal error' };
  switch (error.code) {
    case 'NOT_DICOM':
    case 'TRUNCATED':
    case 'MISSING_UID':
    case 'MALFORMED':
    case 'UNSUPPORTED':
      return { status: DIMSE_STATUS.CANNOT_UNDERSTAND, errorComment };
    case 'BAD_REQUEST':
    case 'STUDY_UID_MISMATCH':
      return { status: DIMSE_STATUS.DOES_NOT_MATCH_SOP_CLASS, errorComment };
    case 'DUPLICATE_CONFLICT':
      return { status: DIMSE_STATUS.DUPLICATE_SOP_INSTANCE, errorComment };
    case 'STORAGE_FAILURE':
    case 'UNAVAILABLE':
    case 'PAYLOAD_TOO_LARGE':
    case 'BUSY':
      // C-STORE (PS3.4 B.2.3) and C-FIND (C.4.1.1.4) "Refused: Out of resources"; C-MOVE/C-GET have A701 for it
      return { status: service === 'retrieve' ? DIMSE_STATUS.OUT_OF_RESOURCES_RETRIEVE : DIMSE_STATUS.OUT_OF_RESOURCES, errorComment };
    case 'FORBIDDEN':
    case 'UNAUTHENTICATED':
      return { status: DIMSE_STATUS.NOT_AUTHORIZED, errorComment };
    case 'UID_CONFLICT':
      return { status: DIMSE_STATUS.PROCESSING_FAILURE, errorComment };
    default:
      // INTERNAL and transport-only codes: never leak internals to the peer
      return { status: DIMSE_STATUS.PROCESSING_FAILURE, errorComment: 'internal error' };
  }
}
