import type { AdminContext } from '../admin/context';
import { administeredFacilitiesFor } from '../policy/administered-facilities';

/**
 * What the patient page offers a user for a record of `facilityId`: linking
 * needs an administrator of that facility (the candidates come from the
 * facilities they administer); unlinking a linked record needs its facility
 * too (lib/policy/patient-linking.ts decides again on each request).
 */
export async function patientLinkPermissions(context: Pick<AdminContext, 'db'>, userId: string, facilityId: string): Promise<{ canLink: boolean; canUnlink: (recordFacilityId: string) => boolean }> {
  const administered = new Set((await administeredFacilitiesFor(context.db, userId)).map((facility) => facility.id));
  const canLink = administered.has(facilityId);
  return { canLink, canUnlink: (recordFacilityId) => canLink && administered.has(recordFacilityId) };
}
