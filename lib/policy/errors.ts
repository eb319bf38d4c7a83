// Access decisions fail with NOT_FOUND for outsiders, never FORBIDDEN: a caller
// without a membership in the owning facility must not learn that a patient,
// study or case exists (STYLE.md). FORBIDDEN is only for callers who can
// already see the thing but may not do this to it (e.g. a member who is not
// an administrator of that facility).
export type PolicyErrorCode = 'NOT_FOUND' | 'FORBIDDEN';

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isPolicyError(error: unknown): error is PolicyError {
  return error instanceof PolicyError;
}

export function policyErrorToHttpStatus(error: PolicyError): 404 | 403 {
  return error.code === 'NOT_FOUND' ? 404 : 403;
}
