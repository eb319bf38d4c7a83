// A facility's people as its administration page and API show them: members,
// invitations waiting and the second-factor rule. Administrators of that
// facility only (NOT_FOUND for anyone else, lib/policy/admin-area.ts).
import type { AdminActor, AdminContext } from '../admin/context';
import { authorizeAdminArea, type SecondFactorPolicy } from '../policy';
import { listFacilityMembers, type FacilityMember, type PendingInvitation } from './list-facility-members';
import { facilitySecondFactorPolicy } from './set-second-factor-policy';

export interface FacilityMembersView {
  members: FacilityMember[];
  invitations: PendingInvitation[];
  secondFactorPolicy: SecondFactorPolicy;
}

export async function viewFacilityMembers(context: Pick<AdminContext, 'db'>, actor: Pick<AdminActor, 'userId'>, facilityId: string): Promise<FacilityMembersView> {
  await authorizeAdminArea(context.db, actor.userId, facilityId);
  const { members, invitations } = await listFacilityMembers(context.db, facilityId);
  return { members, invitations, secondFactorPolicy: await facilitySecondFactorPolicy(context.db, facilityId) };
}
