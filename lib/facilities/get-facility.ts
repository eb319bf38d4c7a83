import type { AdminContext } from '../admin/context';
import { PolicyError } from '../policy/errors';
import { listFacilities } from './list-facilities';
import type { FacilitySummary } from './facility.types';

/** One facility as its node administrators manage it; NOT_FOUND for anyone else and for an unknown id. */
export async function getFacility(context: Pick<AdminContext, 'db'>, actorUserId: string, facilityId: string): Promise<FacilitySummary> {
  // A node has a handful of facilities: the list is the one query shape for both.
  const facility = (await listFacilities(context, actorUserId)).find((candidate) => candidate.id === facilityId);
  if (!facility) throw new PolicyError('NOT_FOUND', 'facility not found');
  return facility;
}
