import type { AdminActor, AdminContext } from '../admin/context';
import { parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { PolicyError } from '../policy/errors';
import { authorizeNodeAdmin } from '../policy/node-admin';
import { administrationAudit } from '../admin/administration-audit';
import { ZUpdateFacilityRequest } from './facility.types';

/** A node administrator renames a facility or changes its address, phone or report language (never its code). */
export async function updateFacility(context: AdminContext, actor: AdminActor, facilityId: string, input: unknown): Promise<void> {
  const { db, logger } = context;
  await authorizeNodeAdmin(db, actor.userId);
  const fields = parseInput(ZUpdateFacilityRequest, input);
  await db.$transaction(async (tx) => {
    const before = await tx.facility.findUnique({ where: { id: facilityId }, select: { name: true, address: true, phone: true, reportLanguage: true } });
    if (!before) throw new PolicyError('NOT_FOUND', 'facility not found');
    await tx.facility.update({ where: { id: facilityId }, data: fields });
    const changed = Object.fromEntries(Object.entries(fields).map(([key, value]) => [key, { from: before[key as keyof typeof before], to: value }]));
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.facility.update', facilityId, resource: `facility:${facilityId}`, details: changed }));
  });
}
