// Who may do what across nodes (issue 19), decided here once for lib/federation:
// - send a study of their facility to a facility of a paired node: an enabled clinician
//   (REFERRING, EXPERT, EMERGENCY) or administrator of the facility they act for; never a
//   person of another node acting here (a mirrored user), never a guest;
// - see a transfer and its progress: who asked for it, and the members of its facility;
// - a paired node stores what it sends into an enabled facility of THIS node (not a
//   mirrored one): pairing is the node administrators' decision to accept studies from it,
//   suspended or unpaired at once by either side.
// Everyone else: NOT_FOUND.
import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';
import type { Role } from './roles';

export const STUDY_SENDER_ROLES: readonly Role[] = ['REFERRING', 'EXPERT', 'EMERGENCY', 'ADMIN'];

type PolicyDb = Pick<Database, 'membership' | 'facility'>;

/** The facility a study is sent from: NOT_FOUND without an enabled membership, FORBIDDEN without a role that sends. */
export async function authorizeStudySend(db: PolicyDb, userId: string, actingFacilityId: string | null): Promise<string> {
  if (!actingFacilityId) throw new PolicyError('NOT_FOUND', 'no acting facility');
  const roles = await db.membership.findMany({
    where: { userId, facilityId: actingFacilityId, user: { disabled: false, guest: false, nodePeerId: null }, facility: { disabledAt: null, nodePeerId: null } },
    select: { role: true },
  });
  if (!roles.length) throw new PolicyError('NOT_FOUND', 'not a member of the acting facility');
  if (!roles.some((row) => STUDY_SENDER_ROLES.includes(row.role as Role))) throw new PolicyError('FORBIDDEN', 'only a clinician or an administrator of the facility sends its studies to another node');
  return actingFacilityId;
}

/** Whether the user may see a transfer of this facility that this person asked for. */
export async function mayViewTransfer(db: PolicyDb, userId: string, transfer: { localFacilityId: string; requestedById: string | null }): Promise<boolean> {
  if (transfer.requestedById === userId) return true;
  return (await db.membership.findFirst({ where: { userId, facilityId: transfer.localFacilityId, user: { disabled: false, guest: false }, facility: { disabledAt: null } }, select: { id: true } })) !== null;
}

/** The facilities whose transfers the user sees. */
export async function transferFacilitiesOf(db: PolicyDb, userId: string): Promise<string[]> {
  const rows = await db.membership.findMany({ where: { userId, user: { disabled: false, guest: false, nodePeerId: null }, facility: { disabledAt: null, nodePeerId: null } }, select: { facilityId: true } });
  return [...new Set(rows.map((row) => row.facilityId))];
}

/** A paired node's store goes into an enabled facility of this node; NOT_FOUND otherwise. */
export async function authorizePeerStore(db: PolicyDb, facilityId: string): Promise<void> {
  const facility = await db.facility.findFirst({ where: { id: facilityId, nodePeerId: null, disabledAt: null }, select: { id: true } });
  if (!facility) throw new PolicyError('NOT_FOUND', 'no such facility on this node');
}
