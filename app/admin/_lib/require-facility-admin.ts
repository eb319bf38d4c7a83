// Page glue: the signed-in admin of this facility, or the 404 page for
// everyone else (an outsider must not learn that the facility exists).
import { notFound } from 'next/navigation';
import type { SignedInUser } from '../../../lib/auth';
import { canAdministerFacility } from '../../../lib/policy';
import { getRuntime } from '../../../lib/runtime';
import { requireSignedInUser } from '../../_lib/current-user';

export interface AdministeredFacility {
  user: SignedInUser;
  facility: { id: string; name: string; code: string };
}

export async function requireFacilityAdmin(facilityId: string, returnTo: string): Promise<AdministeredFacility> {
  const user = await requireSignedInUser(returnTo);
  if (!(await canAdministerFacility(getRuntime().db, user.id, facilityId))) notFound();
  const membership = user.memberships.find((candidate) => candidate.facilityId === facilityId)!;
  return { user, facility: { id: facilityId, name: membership.facilityName, code: membership.facilityCode } };
}
