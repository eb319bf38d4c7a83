import type { AdminActor, AdminContext } from '../admin/context';
import { parseInput } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { administrationAudit } from '../admin/administration-audit';
import { authorizeFacilityManagement } from '../policy/node-admin';
import { findServiceIn } from './find-service';
import { assertServiceNameAndCodeFree } from './service-conflicts';
import { assertTurnaroundInOrder } from './service-turnaround';
import { ZUpdateServiceRequest } from './service.types';

/**
 * Renames a service, changes its code, description or second-opinion
 * turnaround (stat ≤ urgent ≤ routine, checked against what is stored for the
 * fields not sent), its emergency-transfer settings (escalation minutes, image
 * access hours: they apply to alarms rung and access granted after the change),
 * or disables / enables it (its members are kept).
 */
export async function updateService(context: AdminContext, actor: AdminActor, facilityId: string, serviceId: string, input: unknown, now = new Date()): Promise<void> {
  const { db, logger } = context;
  await authorizeFacilityManagement(db, actor.userId, facilityId);
  const { disabled, ...fields } = parseInput(ZUpdateServiceRequest, input);
  await db.$transaction(async (tx) => {
    const before = await findServiceIn(tx, facilityId, serviceId);
    await assertServiceNameAndCodeFree(tx, facilityId, fields, serviceId);
    assertTurnaroundInOrder(before, fields);
    const disabledAt = disabled === undefined ? undefined : disabled ? (before.disabledAt ?? now) : null;
    await tx.service.update({ where: { id: serviceId }, data: { ...fields, disabledAt } });
    await recordAudit(tx, administrationAudit(actor, {
        action: disabled === true ? 'admin.service.disable' : disabled === false ? 'admin.service.enable' : 'admin.service.update',
        facilityId,
        resource: `service:${serviceId}`,
        details: {
          before: {
            name: before.name,
            code: before.code,
            description: before.description,
            disabled: before.disabledAt !== null,
            turnaroundStatMinutes: before.turnaroundStatMinutes,
            turnaroundUrgentMinutes: before.turnaroundUrgentMinutes,
            turnaroundRoutineMinutes: before.turnaroundRoutineMinutes,
            transferEscalationMinutes: before.transferEscalationMinutes,
            transferAccessHours: before.transferAccessHours,
          },
          change: { ...fields, disabled },
        },
      }));
  });
}
