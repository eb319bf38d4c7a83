// Expected refusals of the live-session operations; the /consult namespace
// maps them once to its acks (lib/realtime/attach-consult.ts). Outsiders get
// NOT_FOUND (STYLE.md); FORBIDDEN is for participants who may see the thing
// but not do this to it (edit someone else's annotation, end a session they
// do not host).
export type ConsultErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT';

export class ConsultError extends Error {
  override readonly name = 'ConsultError';
  constructor(
    readonly code: ConsultErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isConsultError(error: unknown): error is ConsultError {
  return error instanceof ConsultError;
}
