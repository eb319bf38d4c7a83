// Expected refusals of the live-session operations; the /consult namespace
// maps them once to its acks (lib/realtime/attach-consult.ts). Outsiders get
// NOT_FOUND (STYLE.md); FORBIDDEN is for participants who may see the thing
// but not do this to it (edit someone else's annotation, end a session they
// do not host).
import { DomainError } from '../errors';

export type ConsultErrorCode = 'BAD_REQUEST' | 'NOT_FOUND' | 'FORBIDDEN' | 'CONFLICT';

export class ConsultError extends DomainError {
  override readonly name = 'ConsultError';
  declare readonly code: ConsultErrorCode;
  constructor(code: ConsultErrorCode, message: string) {
    super(code, message);
  }
}

export function isConsultError(error: unknown): error is ConsultError {
  return error instanceof ConsultError;
}
