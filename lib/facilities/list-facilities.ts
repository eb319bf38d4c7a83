import type { AdminContext } from '../admin/context';
import { authorizeNodeAdmin } from '../policy/node-admin';
import type { FacilitySummary } from './facility.types';

/** Every facility of the node, enabled ones first, for its node administrators. */
export async function listFacilities(context: Pick<AdminContext, 'db'>, actorUserId: string): Promise<FacilitySummary[]> {
  const { db } = context;
  await authorizeNodeAdmin(db, actorUserId);
  const facilities = await db.facility.findMany({
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      code: true,
      name: true,
      address: true,
      phone: true,
      reportLanguage: true,
      disabledAt: true,
      logo: { select: { facilityId: true } },
      memberships: { select: { userId: true }, distinct: ['userId'] },
      _count: { select: { services: true } },
    },
  });
  return facilities
    .map((facility) => ({
      id: facility.id,
      code: facility.code,
      name: facility.name,
      address: facility.address,
      phone: facility.phone,
      reportLanguage: facility.reportLanguage,
      disabledAt: facility.disabledAt?.toISOString() ?? null,
      hasLogo: facility.logo !== null,
      members: facility.memberships.length,
      services: facility._count.services,
    }))
    .sort((a, b) => Number(a.disabledAt !== null) - Number(b.disabledAt !== null));
}
