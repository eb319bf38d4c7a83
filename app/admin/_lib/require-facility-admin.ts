// Page glue: the signed-in admin of this facility, or the 404 page for
// everyone else (an outsider must not learn that the facility exists).
import { notFound } from 'next/navigation';
import type { SignedInUser } from '../../../lib/auth';
import { requireAdminArea } from '../../../lib/admin/admin-area-access';
import { isPolicyError } from '../../../lib/policy';
import { getRuntime } from '../../../lib/runtime';
import { requireSignedInUser } from '../../_lib/current-user';

export interface AdministeredFacility {
  user: SignedInUser;
  facility: { id: string; name: string; code: string };
}

export async function requireFacilityAdmin(facilityId: string, returnTo: string): Promise<AdministeredFacility> {
  const user = await requireSignedInUser(returnTo);
  await requireAdminArea(getRuntime(), { userId: user.id }, facilityId).catch((error: unknown) => {
    if (isPolicyError(error)) notFound();
    throw error;
  });
  const membership = user.memberships.find((candidate) => candidate.facilityId === facilityId)!;
  return { user, facility: { id: facilityId, name: membership.facilityName, code: membership.facilityCode } };
}
