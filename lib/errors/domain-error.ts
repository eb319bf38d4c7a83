// The one family of expected errors of the portal's domain (lib/): a code the
// transports map once (app/_lib/error-response.ts for HTTP), a message for the
// log and a message for the person at the keyboard, and for forms a message
// per field. Anything thrown that is not a DomainError (nor the archive's
// ArchiveError, pacs-core/errors.ts) is a bug: a generic answer and a log line.
//
// The codes are the ones our JSON answers already carry (README: `{error, message}`),
// so clients and pages keep working. Outsiders get NOT_FOUND, never FORBIDDEN
// (lib/policy/errors.ts says why).

export const DOMAIN_ERROR_STATUS = {
  NOT_FOUND: 404, // absent, or not the caller's to know about
  FORBIDDEN: 403, // the caller sees the thing but may not do this to it
  NOT_ALLOWED: 403, // a rule forbids it whoever asks (e.g. disabling oneself)
  INVALID_INPUT: 400, // a form field is wrong; `fields` says which and why
  BAD_REQUEST: 400, // the request could not be read at all
  REASON_REQUIRED: 400, // a destructive action needs a written reason
  CONFLICT: 409, // e.g. the email or AE title is taken
  CONSENT_REQUIRED: 409, // a share without the patient's consent (lib/policy/share-basis.ts); `details.consent` says what is missing
  CONFIRMATION_REQUIRED: 409, // possible but unusual input (vitals outside the physiological range): sent again with a confirmation; `fields` says what to check
  UNPROCESSABLE: 422, // well-formed, but refused by a rule (FHIR: a Consent for a patient not in the caller's facility)
  PAYLOAD_TOO_LARGE: 413, // an upload above its limit (e.g. a case's attachment, 20 MB)
  LINK_INVALID: 404, // unknown one-time link
  LINK_EXPIRED: 410,
  LINK_USED: 410,
  LINK_REVOKED: 410, // a guest link its host withdrew
  LINK_ENDED: 410, // a guest link to a session that has ended
  RATE_LIMITED: 429, // `retryAfterSeconds` says when to try again
  UNAUTHENTICATED: 401,
  // Expected to be possible, not expected to happen: the log has the cause
  DELETE_FAILED: 500,
  // A report's PDF or archive objects could not be made or stored: it stays unsigned (lib/reports/sign-report.ts)
  SIGN_FAILED: 503,
  // Another node (lib/federation) could not be reached, or refused the call: the message says which and why
  PEER_FAILED: 502,
} as const satisfies Record<string, number>;

export type DomainErrorCode = keyof typeof DOMAIN_ERROR_STATUS;

export interface DomainErrorOptions {
  /** What the person is told (defaults to the message) */
  userMessage?: string;
  /** One message per wrong form field (INVALID_INPUT) */
  fields?: Record<string, string>;
  /** RATE_LIMITED: seconds until a retry may succeed (the Retry-After header) */
  retryAfterSeconds?: number;
  /** Machine-readable facts the page acts on, answered as they are (e.g. CONSENT_REQUIRED's `consent`) */
  details?: Record<string, unknown>;
}

export class DomainError extends Error {
  override readonly name: string = 'DomainError';
  readonly userMessage: string;
  readonly fields: Record<string, string> | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown> | undefined;
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    options: DomainErrorOptions = {},
  ) {
    super(message);
    this.userMessage = options.userMessage ?? message;
    this.fields = options.fields;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

export function domainErrorStatus(error: DomainError): number {
  return DOMAIN_ERROR_STATUS[error.code];
}
