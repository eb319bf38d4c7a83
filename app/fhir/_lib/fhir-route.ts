// Glue for the /fhir route handlers: authenticate (Bearer API token or
// session, lib/auth/authenticate-caller.ts), run one lib/fhir operation,
// answer application/fhir+json; every error is an OperationOutcome. A create
// (POST /fhir/ServiceRequest, /fhir/Consent) reads a FHIR JSON body and answers
// 201 with Location; an update (PUT /fhir/Consent/<id>) reads one and answers 200.
import { randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { DomainError, isDomainError } from '../../../lib/errors';
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
export function answerFhir(request: Request, where: string, work: (context: FhirContext, principal: Principal) => Promise<Resource>): Promise<Response> {
  return runFhir(request, where, async (context, principal) => fhirResponse(await work(context, principal)));
}

/** A create: `work` gets the posted resource and returns it as stored; 201 with Location <base>/fhir/<type>/<id> */
export function answerFhirCreate(request: Request, where: string, work: (context: FhirContext, principal: Principal, body: unknown) => Promise<Resource & { id?: string }>, maxBodyBytes = MAX_BODY_BYTES): Promise<Response> {
  return runFhir(request, where, async (context, principal) => {
    const resource = await work(context, principal, await readFhirBody(request, maxBodyBytes));
    const location = `${context.origin}/fhir/${resource.resourceType}/${resource.id}`;
    return fhirResponse(resource, 201, { location });
  });
}

/** An update: `work` gets the resource put and returns it as stored; 200 */
export function answerFhirUpdate(request: Request, where: string, work: (context: FhirContext, principal: Principal, body: unknown) => Promise<Resource>, maxBodyBytes = MAX_BODY_BYTES): Promise<Response> {
  return runFhir(request, where, async (context, principal) => fhirResponse(await work(context, principal, await readFhirBody(request, maxBodyBytes))));
}

/** Bodies past this are refused (a ServiceRequest is a few kilobytes; a Consent with its scanned form passes its own limit) */
const MAX_BODY_BYTES = 256 * 1024;

/** The JSON body of a create or update: application/fhir+json or application/json, at most maxBodyBytes */
async function readFhirBody(request: Request, maxBodyBytes: number): Promise<unknown> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/fhir+json' && type !== 'application/json') {
    throw new DomainError('BAD_REQUEST', 'unsupported content type', { userMessage: 'Send the resource as JSON (Content-Type: application/fhir+json).' });
  }
  const tooLarge = () => new DomainError('BAD_REQUEST', 'body too large', { userMessage: `The body is larger than ${maxBodyBytes / 1024} KB.` });
  if (Number(request.headers.get('content-length') ?? 0) > maxBodyBytes) throw tooLarge();
  // Read no further than the limit, whatever the headers said
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (let part = await reader?.read(); part && !part.done; part = await reader!.read()) {
    size += part.value.byteLength;
    if (size > maxBodyBytes) {
      await reader!.cancel();
      throw tooLarge();
    }
    chunks.push(part.value);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DomainError('BAD_REQUEST', 'body not JSON', { userMessage: 'The body is not valid JSON.' });
  }
}

async function runFhir(request: Request, where: string, work: (context: FhirContext, principal: Principal) => Promise<Response>): Promise<Response> {
  try {
    const context = fhirContextFor(request);
    return await work(context, await authenticateCaller(context, request));
  } catch (error) {
    if (isDomainError(error)) {
      const { status, outcome } = outcomeForDomainError(error.code, error.userMessage, error.fields);
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
