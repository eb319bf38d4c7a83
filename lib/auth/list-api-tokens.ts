import type { Database } from '../../prisma/database';

export interface ListedApiToken {
  id: string;
  name: string;
  /** tp_<prefix>_… : enough to recognise a token, useless to use it */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** A user's own API tokens, newest first (secrets are never stored, so never listed). */
export async function listApiTokens({ db }: { db: Database }, { userId }: { userId: string }): Promise<ListedApiToken[]> {
  return db.apiToken.findMany({
    where: { userId },
    select: { id: true, name: true, prefix: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true },
    orderBy: { createdAt: 'desc' },
  });
}
