// GET /fhir/Task?owner=<Practitioner/id | HealthcareService/id>&status=<codes>[&_count=n]
// The Tasks of the second-opinion cases the caller takes part in. owner
// matches Task.owner: the expert who took the case, or before that the
// addressed service (HealthcareService/<id>) or named expert
// (Practitioner/<id>). status: Task codes, comma-separated (completed covers
// completed and closed cases). Newest change first; total counts every match.
import type { Bundle, Task } from '@medplum/fhirtypes';
import type { Prisma } from '../../prisma/database';
import type { Principal } from '../policy/principal';
import { auditFhirCaseSearch } from './fhir-audit';
import type { FhirContext } from './fhir-context';
import { DEFAULT_CASES, MAX_CASES, participantReferrals } from './referral-rows';
import { searchBundle } from './search-bundle';
import { countOf, invalidSearch, readSearchParams } from './search-params';
import { referralStatusesOf, TASK_STATUS_OF, taskResource, type TaskStatus } from './task-resource';

export const TASK_SEARCH_PARAMS = ['owner', 'status', '_count'] as const;

const TASK_CODES = [...new Set(Object.values(TASK_STATUS_OF))];

function ownerWhere(raw: string): Prisma.ReferralWhereInput {
  const match = /^(Practitioner|HealthcareService)\/([A-Za-z0-9\-.]{1,64})$/.exec(raw);
  if (!match) throw invalidSearch('"owner" must be Practitioner/<id> or HealthcareService/<id>.');
  const id = match[2];
  return match[1] === 'HealthcareService' ? { ownerId: null, targetServiceId: id } : { OR: [{ ownerId: id }, { ownerId: null, targetUserId: id }] };
}

function statusWhere(raw: string): Prisma.ReferralWhereInput {
  const statuses = raw.split(',').flatMap((code) => {
    const status = TASK_CODES.find((candidate) => candidate === code.trim());
    if (!status) throw invalidSearch(`Unknown status "${code.trim()}". Tasks here are ${TASK_CODES.join(', ')}.`);
    return referralStatusesOf(status as TaskStatus);
  });
  return { status: { in: statuses } };
}

export async function searchTasks(context: FhirContext, principal: Principal, query: URLSearchParams): Promise<Bundle<Task>> {
  const params = readSearchParams(query, TASK_SEARCH_PARAMS);
  const count = countOf(params, DEFAULT_CASES, MAX_CASES);
  const owner = params.get('owner');
  const status = params.get('status');
  const where: Prisma.ReferralWhereInput = { AND: [owner ? ownerWhere(owner) : {}, status ? statusWhere(status) : {}] };
  const { rows, total } = await participantReferrals(context.db, principal, where, count);
  auditFhirCaseSearch(context, principal, { resourceType: 'Task', query, referrals: rows, total });
  return searchBundle(context.origin, 'Task', query, rows.map(taskResource), total);
}
