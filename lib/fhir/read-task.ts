// GET /fhir/Task/<id>: the Task of a second-opinion case the caller takes part
// in (the same id as its ServiceRequest), or NOT_FOUND. What a hospital system
// polls until it is completed and its output names the DiagnosticReport.
import type { Task } from '@medplum/fhirtypes';
import type { Principal } from '../policy/principal';
import { auditFhirCaseRead } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { resourceNotFound } from './read-diagnostic-report';
import { isNotFound } from './read-service-request';
import { readableReferral } from './referral-rows';
import { taskResource } from './task-resource';

export async function readTask(context: FhirContext, principal: Principal, id: string): Promise<Task> {
  const referral = await readableReferral(context.db, principal, id).catch((error: unknown) => {
    throw isNotFound(error) ? resourceNotFound('Task', id) : error;
  });
  auditFhirCaseRead(context, principal, { resourceType: 'Task', referral });
  return taskResource(referral);
}
