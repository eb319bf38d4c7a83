import type { AdminActor, AdminContext } from '../admin/context';
import { parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { administrationAudit } from '../admin/administration-audit';
import { authorizeFacilityManagement } from '../policy/node-admin';
import { assertServiceNameAndCodeFree } from './service-conflicts';
import { ZCreateServiceRequest } from './service.types';

/** A node administrator or an administrator of the facility creates a service in it. */
export async function createService(context: AdminContext, actor: AdminActor, facilityId: string, input: unknown): Promise<{ id: string }> {
  const { db, logger } = context;
  await authorizeFacilityManagement(db, actor.userId, facilityId);
  const fields = parseInput(ZCreateServiceRequest, input);
  return db.$transaction(async (tx) => {
    await assertServiceNameAndCodeFree(tx, facilityId, fields);
    const service = await tx.service.create({ data: { facilityId, ...fields }, select: { id: true } });
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.service.create', facilityId, resource: `service:${service.id}`, details: fields }));
    return service;
  });
}
