// Whom a user may invite to a teleconsultation: the active staff accounts of
// this node, every facility (a second opinion is usually asked of another
// hospital's expert), never guests. Names, e-mails and facilities only: the
// regional directory a referring doctor picks an expert from.
import type { Database } from '../../prisma/database';

export interface InvitableColleague {
  email: string;
  name: string;
  /** "Valley Clinic (expert)", one per membership */
  facilities: string[];
}

const ROLE_WORDS: Record<string, string> = { ADMIN: 'administrator', REFERRING: 'referring', EXPERT: 'expert', EMERGENCY: 'emergency' };

export async function listInvitableColleagues(db: Database, userId: string): Promise<InvitableColleague[]> {
  const users = await db.user.findMany({
    where: { id: { not: userId }, disabled: false, guest: false, memberships: { some: {} } },
    orderBy: [{ name: 'asc' }, { email: 'asc' }],
    take: 2000,
    select: { email: true, name: true, memberships: { select: { role: true, facility: { select: { name: true } } } } },
  });
  return users.map((user) => ({
    email: user.email,
    name: user.name,
    facilities: user.memberships.map((membership) => `${membership.facility.name} (${ROLE_WORDS[membership.role] ?? membership.role.toLowerCase()})`),
  }));
}
