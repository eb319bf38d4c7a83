// Whom a user may invite to a teleconsultation: the active staff accounts of
// this node, every facility (a second opinion is usually asked of another
// hospital's expert), never guests. Ids, names, e-mails and facilities only:
// the regional directory a referring doctor picks an expert from.
import type { Database } from '../../prisma/database';
import type { InvitableColleague } from './match-colleague';

export type { InvitableColleague } from './match-colleague';

export async function listInvitableColleagues(db: Database, userId: string): Promise<InvitableColleague[]> {
  const users = await db.user.findMany({
    where: { id: { not: userId }, disabled: false, guest: false, memberships: { some: {} } },
    orderBy: [{ name: 'asc' }, { email: 'asc' }],
    take: 2000,
    select: { id: true, email: true, name: true, memberships: { select: { facility: { select: { name: true } } } } },
  });
  return users.map((user) => ({
    id: user.id,
    email: user.email,
    name: user.name,
    facilities: [...new Set(user.memberships.map((membership) => membership.facility.name))],
  }));
}
