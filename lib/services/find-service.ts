import type { Database } from '../../prisma/database';
import { PolicyError } from '../policy/errors';
import type { ServiceTurnaround } from '../referrals/due-time';
import type { ServiceTransferSettings } from './transfer-settings-limits';

/** The service, in that facility, or NOT_FOUND (a service id from another facility is unknown here). */
export async function findServiceIn(
  db: Pick<Database, 'service'>,
  facilityId: string,
  serviceId: string,
): Promise<{ id: string; name: string; code: string | null; description: string; disabledAt: Date | null } & ServiceTurnaround & ServiceTransferSettings> {
  const service = await db.service.findFirst({
    where: { id: serviceId, facilityId },
    select: { id: true, name: true, code: true, description: true, disabledAt: true, turnaroundStatMinutes: true, turnaroundUrgentMinutes: true, turnaroundRoutineMinutes: true, transferEscalationMinutes: true, transferAccessHours: true },
  });
  if (!service) throw new PolicyError('NOT_FOUND', 'service not found');
  return service;
}
