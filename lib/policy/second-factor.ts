// Who must sign in with a second factor: each facility's administrator
// chooses NONE, ADMINS (its administrators) or EVERYONE (every member). A
// person who belongs to several facilities follows the strictest that applies
// to them. Guests of a teleconsultation never sign in with a password, so the
// rule does not reach them.
import type { Database } from '../../prisma/database';

export const SECOND_FACTOR_POLICIES = ['NONE', 'ADMINS', 'EVERYONE'] as const;
export type SecondFactorPolicy = (typeof SECOND_FACTOR_POLICIES)[number];

export function isSecondFactorPolicy(value: unknown): value is SecondFactorPolicy {
  return (SECOND_FACTOR_POLICIES as readonly unknown[]).includes(value);
}

/** The facilities' rule as it applies to this account. */
export async function isSecondFactorRequired(db: Pick<Database, 'membership'>, userId: string): Promise<boolean> {
  const binding = await db.membership.findFirst({
    where: {
      userId,
      OR: [{ facility: { secondFactorPolicy: 'EVERYONE' } }, { role: 'ADMIN', facility: { secondFactorPolicy: 'ADMINS' } }],
    },
    select: { id: true },
  });
  return binding !== null;
}

/** The members of a facility that its policy now binds (for ending their sessions' free pass). */
export function membersBoundBy(policy: SecondFactorPolicy): { role?: string } | null {
  if (policy === 'NONE') return null;
  return policy === 'ADMINS' ? { role: 'ADMIN' } : {};
}
