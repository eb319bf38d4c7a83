// One-time links an administrator hands over (we send no mail: the admin
// copies the link into whatever channel the facility uses). The link holds a
// 256-bit random token; the row keeps only its SHA-256, like sessions.
import type { Database } from '../../prisma/database';
import { randomSecret, sha256Hex } from '../auth/secret-tokens';
import { AdminError } from '../admin/errors';

export type AccountLinkPurpose = 'INVITE' | 'RESET';

// An invitation may wait for a colleague back from leave; a password reset
// is for someone waiting at the phone now.
export const ACCOUNT_LINK_TTL_MS: Record<AccountLinkPurpose, number> = {
  INVITE: 7 * 24 * 3600_000,
  RESET: 24 * 3600_000,
};

const LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newLinkToken(): { token: string; tokenHash: string } {
  const token = randomSecret(32);
  return { token, tokenHash: sha256Hex(token) };
}

export function accountLinkPath(purpose: AccountLinkPurpose, token: string): string {
  return purpose === 'INVITE' ? `/invite/${token}` : `/reset-password/${token}`;
}

export interface UsableAccountLink {
  id: string;
  purpose: AccountLinkPurpose;
  facilityId: string;
  facilityName: string;
  email: string;
  role: string;
  userId: string | null;
  expiresAt: Date;
}

/** The link behind a token if it can still be used; LINK_INVALID / LINK_USED / LINK_EXPIRED otherwise. */
export async function findUsableAccountLink({ db }: { db: Database }, token: string, purpose: AccountLinkPurpose, now = new Date()): Promise<UsableAccountLink> {
  const row = LINK_TOKEN_PATTERN.test(token)
    ? await db.accountLink.findUnique({ where: { tokenHash: sha256Hex(token) }, include: { facility: { select: { name: true } } } })
    : null;
  if (!row || row.purpose !== purpose) throw new AdminError('LINK_INVALID', 'This link is not valid. Check that it was copied completely.');
  if (row.usedAt) throw new AdminError('LINK_USED', 'This link has already been used. Ask your administrator for a new one.');
  if (row.expiresAt <= now) throw new AdminError('LINK_EXPIRED', 'This link has expired. Ask your administrator for a new one.');
  return {
    id: row.id,
    purpose: row.purpose as AccountLinkPurpose,
    facilityId: row.facilityId,
    facilityName: row.facility.name,
    email: row.email,
    role: row.role,
    userId: row.userId,
    expiresAt: row.expiresAt,
  };
}
