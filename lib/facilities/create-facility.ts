import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { authorizeNodeAdmin } from '../policy/node-admin';
import { administrationAudit } from '../admin/administration-audit';
import { ZCreateFacilityRequest } from './facility.types';

/**
 * A node administrator creates a facility (code, name, address, phone). It
 * starts with no member: the creator invites its first administrator through
 * the facility's invitations (lib/users/invite-member.ts), which a node
 * administrator may send for any facility.
 */
export async function createFacility(context: AdminContext, actor: AdminActor, input: unknown): Promise<{ id: string; code: string }> {
  const { db, logger } = context;
  await authorizeNodeAdmin(db, actor.userId);
  const fields = parseInput(ZCreateFacilityRequest, input);
  if (await db.facility.findUnique({ where: { code: fields.code }, select: { id: true } })) {
    const why = 'Another facility has this code.';
    throw new AdminError('CONFLICT', why, { code: why });
  }
  return db.$transaction(async (tx) => {
    const facility = await tx.facility.create({ data: fields, select: { id: true, code: true } });
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.facility.create', facilityId: facility.id, resource: `facility:${facility.id}`, details: fields }));
    return facility;
  });
}
