// Access decisions fail with NOT_FOUND for outsiders, never FORBIDDEN: a caller
// without a membership in the owning facility must not learn that a patient,
// study or case exists (STYLE.md). FORBIDDEN is only for callers who can
// already see the thing but may not do this to it (e.g. a member who is not
// an administrator of that facility).
// One of the domain errors (lib/errors): the HTTP mapper answers NOT_FOUND
// with "Not found." whatever the log message says.
import { DomainError } from '../errors';

export type PolicyErrorCode = 'NOT_FOUND' | 'FORBIDDEN';

export class PolicyError extends DomainError {
  override readonly name = 'PolicyError';
  declare readonly code: PolicyErrorCode;
  constructor(code: PolicyErrorCode, message: string) {
    super(code, message, { userMessage: code === 'NOT_FOUND' ? 'Not found.' : sentence(message) });
  }
}

function sentence(text: string): string {
  return text ? `${text[0].toUpperCase()}${text.slice(1)}.` : text;
}

export function isPolicyError(error: unknown): error is PolicyError {
  return error instanceof PolicyError;
}

export function policyErrorToHttpStatus(error: PolicyError): 404 | 403 {
  return error.code === 'NOT_FOUND' ? 404 : 403;
}
