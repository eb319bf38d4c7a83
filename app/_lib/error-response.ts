// The one mapper from expected errors to HTTP for every portal route handler:
// a DomainError (lib/errors) or the archive's ArchiveError (pacs-core/errors.ts,
// by its code) becomes `{ error: CODE, message, fields? }` with its status;
// anything else is a bug: logged with a request id, answered with a generic 500.
import { randomUUID } from 'node:crypto';
import { archiveHttpStatus, asArchiveError, domainErrorStatus, isArchiveError, isDomainError } from '../../lib/errors';
import { getRuntime, type Runtime } from '../../lib/runtime';
import { isConsentRequiredError } from '../../lib/policy/share-basis';
import { recordRefusedShare } from '../../lib/consent/refused-share';
import { jsonError } from './json-response';

export const DATABASE_AWAY_MESSAGE = 'Telepacs cannot reach its database just now. Try again in a few seconds.';
export const GENERIC_FAILURE_MESSAGE = 'Something went wrong. Try again, and tell your administrator if it keeps happening.';

/** The answer for `error`; `where` names the operation in the log line of an unexpected one. */
export function errorResponse(error: unknown, where: string, logger: Runtime['logger'] = getRuntime().logger): Response {
  if (isDomainError(error)) {
    // A share refused for want of consent is a refused attempt at the patient's data, for its owner to see
    if (isConsentRequiredError(error)) void recordRefusedShare(getRuntime(), error);
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
    const body = { error: error.code, message: error.userMessage, ...(error.fields === undefined ? {} : { fields: error.fields }), ...error.details };
    return Response.json(body, { status: domainErrorStatus(error), headers });
  }
  // The database away (restart, failover): retryable, said as such, logged once per answer
  const archiveError = asArchiveError(error);
  if (isArchiveError(archiveError) && archiveError.code === 'UNAVAILABLE') {
    logger.warn('request failed: the database cannot be reached', { where, error: error instanceof Error ? error.message : String(error) });
    const retryAfter = String(archiveError.details.retryAfterSeconds);
    return jsonError(503, 'UNAVAILABLE', DATABASE_AWAY_MESSAGE, { 'retry-after': retryAfter });
  }
  // The archive's own messages are written for DICOMweb clients and name no other facility's data
  if (isArchiveError(error) && error.code !== 'INTERNAL') return jsonError(archiveHttpStatus(error), error.code, error.message);
  const requestId = randomUUID();
  logger.error('request failed', { where, requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  return jsonError(500, 'UNAVAILABLE', GENERIC_FAILURE_MESSAGE, { 'x-request-id': requestId });
}

/** Runs a route's work and answers any error it throws the one way. */
export async function answerErrors(where: string, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    return errorResponse(error, where);
  }
}
