// Glue for the /fhir route handlers: authenticate (Bearer API token or
// session, lib/auth/authenticate-caller.ts), run one lib/fhir operation,
// answer application/fhir+json; every error is an OperationOutcome.
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { isDomainError } from '../../../lib/errors';
import { authenticateCaller } from '../../../lib/auth/authenticate-caller';
import { fhirOrigin, type FhirContext } from '../../../lib/fhir/fhir-context';
import { FHIR_CONTENT_TYPE, operationOutcome, outcomeForDomainError } from '../../../lib/fhir/operation-outcome';
import type { Principal } from '../../../lib/policy/principal';
import { getRuntime } from '../../../lib/runtime';

const FHIR_WWW_AUTHENTICATE = 'Bearer realm="telepacs-fhir"';

export function fhirResponse(resource: Resource, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(resource), { status, headers: { 'content-type': FHIR_CONTENT_TYPE, 'cache-control': 'no-store', ...headers } });
}

export function fhirContextFor(request: Request): FhirContext {
  const runtime = getRuntime();
  return { ...runtime, origin: fhirOrigin(runtime.config, request) };
}

/** Runs `work` for an authenticated caller; `where` names the operation in the log line of an unexpected error. */
export async function answerFhir(request: Request, where: string, work: (context: FhirContext, principal: Principal) => Promise<Resource>): Promise<Response> {
  try {
    const context = fhirContextFor(request);
    return fhirResponse(await work(context, await authenticateCaller(context, request)));
  } catch (error) {
    if (isDomainError(error)) {
      const { status, outcome } = outcomeForDomainError(error.code, error.userMessage);
      const headers: Record<string, string> = {};
      if (status === 401) headers['www-authenticate'] = FHIR_WWW_AUTHENTICATE;
      if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
      return fhirResponse(outcome, status, headers);
    }
    const requestId = randomUUID();
    getRuntime().logger.error('FHIR request failed', { where, requestId, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return fhirResponse(operationOutcome('exception', `Something went wrong (request ${requestId}).`), 500, { 'x-request-id': requestId });
  }
}
