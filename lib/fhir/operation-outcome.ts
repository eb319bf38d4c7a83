// Every FHIR error is an OperationOutcome (R4), answered as application/fhir+json.
// A DomainError (lib/errors) keeps its HTTP status; its code picks the FHIR issue code.
// Its fields named by FHIRPath (ServiceRequest.performer[0], …: lib/fhir's own
// errors about a posted resource) become issues with that expression.
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { DOMAIN_ERROR_STATUS, type DomainErrorCode } from '../errors';

export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

type IssueCode = OperationOutcomeIssue['code'];

const ISSUE_CODE_OF: Partial<Record<DomainErrorCode, IssueCode>> = {
  NOT_FOUND: 'not-found',
  FORBIDDEN: 'forbidden',
  NOT_ALLOWED: 'forbidden',
  INVALID_INPUT: 'invalid',
  BAD_REQUEST: 'invalid',
  RATE_LIMITED: 'throttled',
  UNAUTHENTICATED: 'login',
  CONFLICT: 'conflict',
  UNPROCESSABLE: 'business-rule',
  PAYLOAD_TOO_LARGE: 'too-long',
};

export function operationOutcome(code: IssueCode, diagnostics: string, severity: OperationOutcomeIssue['severity'] = 'error'): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

const FHIR_PATH = /^[A-Z][A-Za-z]+(\.[a-z][A-Za-z]*(\[\d+\])?)*$/;

/** The status and OperationOutcome of a DomainError's code (and its FHIRPath-named fields) */
export function outcomeForDomainError(code: DomainErrorCode, userMessage: string, fields: Record<string, string> = {}): { status: number; outcome: OperationOutcome } {
  const outcome = operationOutcome(ISSUE_CODE_OF[code] ?? 'processing', userMessage);
  const expression = Object.keys(fields).filter((key) => FHIR_PATH.test(key));
  if (expression.length) outcome.issue[0].expression = expression;
  return { status: DOMAIN_ERROR_STATUS[code], outcome };
}
