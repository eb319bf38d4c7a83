// The FHIR API's refusals are OperationOutcomes a FHIR client can parse, not
// Next's bare answers: a change (POST/PUT/PATCH/DELETE) on any FHIR path is
// 405 with issue code not-supported and an Allow header — except the one
// create, POST /fhir/ServiceRequest, whose path refuses only PUT/PATCH/DELETE;
// an unknown resource type is 404 not-supported. Neither needs a caller:
// nothing is read.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OperationOutcome } from '@medplum/fhirtypes';
import * as unknownPath from '../../app/fhir/[...path]/route';
import * as reportRead from '../../app/fhir/DiagnosticReport/[id]/route';
import * as reportSearch from '../../app/fhir/DiagnosticReport/route';
import * as studyRead from '../../app/fhir/ImagingStudy/[id]/route';
import * as studySearch from '../../app/fhir/ImagingStudy/route';
import * as healthcareServices from '../../app/fhir/HealthcareService/route';
import * as metadata from '../../app/fhir/metadata/route';
import * as practitioners from '../../app/fhir/Practitioner/route';
import * as serviceRequestRead from '../../app/fhir/ServiceRequest/[id]/route';
import * as serviceRequestType from '../../app/fhir/ServiceRequest/route';
import * as taskRead from '../../app/fhir/Task/[id]/route';
import * as taskSearch from '../../app/fhir/Task/route';

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Response | Promise<Response>;
const routes: [string, Record<string, unknown>][] = [
  ['/fhir/metadata', metadata],
  ['/fhir/DiagnosticReport', reportSearch],
  ['/fhir/DiagnosticReport/r1', reportRead],
  ['/fhir/ImagingStudy', studySearch],
  ['/fhir/ImagingStudy/s1', studyRead],
  ['/fhir/ServiceRequest/r1', serviceRequestRead],
  ['/fhir/Task', taskSearch],
  ['/fhir/Task/r1', taskRead],
  ['/fhir/HealthcareService', healthcareServices],
  ['/fhir/Practitioner', practitioners],
];

async function outcomeOf(response: Response): Promise<OperationOutcome> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/fhir\+json/);
  const body = (await response.json()) as OperationOutcome;
  assert.equal(body.resourceType, 'OperationOutcome');
  return body;
}

describe('FHIR errors', () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    it(`answers ${method} on every FHIR resource path with 405 not-supported and Allow: GET, HEAD`, async () => {
      for (const [path, route] of routes) {
        const handler = route[method] as Handler | undefined;
        assert.ok(handler, `${path} exports ${method}`);
        const request = new Request(`http://node.example${path}`, { method, headers: { 'content-type': 'application/fhir+json' }, body: method === 'DELETE' ? undefined : '{"resourceType":"DiagnosticReport"}' });
        const response = await handler(request, { params: Promise.resolve({ id: 'r1' }) });
        assert.equal(response.status, 405, `${method} ${path}`);
        assert.equal(response.headers.get('allow'), 'GET, HEAD');
        const outcome = await outcomeOf(response);
        assert.equal(outcome.issue[0].code, 'not-supported');
        assert.match(outcome.issue[0].diagnostics ?? '', new RegExp(`${method} is not supported`));
      }
    });
  }

  it('answers PUT, PATCH and DELETE on /fhir/ServiceRequest with 405 not-supported and Allow: GET, HEAD, POST', async () => {
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const handler = (serviceRequestType as Record<string, unknown>)[method] as Handler;
      const request = new Request('http://node.example/fhir/ServiceRequest', { method, headers: { 'content-type': 'application/fhir+json' }, body: method === 'DELETE' ? undefined : '{"resourceType":"ServiceRequest"}' });
      const response = await handler(request, { params: Promise.resolve({ id: '' }) });
      assert.equal(response.status, 405, method);
      assert.equal(response.headers.get('allow'), 'GET, HEAD, POST');
      const outcome = await outcomeOf(response);
      assert.equal(outcome.issue[0].code, 'not-supported');
      assert.match(outcome.issue[0].diagnostics ?? '', new RegExp(`${method} is not supported`));
    }
  });

  it('answers an unknown resource type with 404 not-supported, for reads and changes alike', async () => {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) {
      const handler = (unknownPath as Record<string, unknown>)[method] as () => Response;
      const response = handler();
      assert.equal(response.status, 404, method);
      const outcome = await outcomeOf(response);
      assert.equal(outcome.issue[0].code, 'not-supported');
      assert.match(outcome.issue[0].diagnostics ?? '', /GET \/fhir\/metadata/);
    }
  });
});
