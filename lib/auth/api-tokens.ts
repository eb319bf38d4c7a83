// API tokens for machine clients (peers, scripts): `tp_<prefix>_<secret>`.
// The prefix finds the row without scanning, and lets an admin recognise a
// token in a list; only the SHA-256 of the whole token is stored.
import { randomBytes } from 'node:crypto';
import type { Database } from '../../prisma/database';
import { PolicyError } from '../policy/errors';
import { equalHashes, randomSecret, sha256Hex } from './secret-tokens';

const API_TOKEN_PATTERN = /^tp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

// lastUsedAt is informational: at most one write per minute per token.
const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export interface CreatedApiToken {
  id: string;
  name: string;
  prefix: string;
  /** Shown once to its creator; not recoverable afterwards. */
  token: string;
  expiresAt: Date | null;
}

/** The client or a transaction client (the caller may audit the change in the same transaction) */
type ApiTokensDatabase = Pick<Database, 'user' | 'apiToken'>;

export async function createApiToken(
  db: ApiTokensDatabase,
  options: { userId: string; name: string; expiresAt?: Date | null },
): Promise<CreatedApiToken> {
  // A teleconsultation's guest works in the browser, for the hours of their link only.
  const owner = await db.user.findUnique({ where: { id: options.userId }, select: { guest: true } });
  if (owner?.guest) throw new PolicyError('FORBIDDEN', 'guests of a teleconsultation cannot have API tokens');
  const prefix = randomBytes(6).toString('hex');
  const token = `tp_${prefix}_${randomSecret(32)}`;
  const row = await db.apiToken.create({
    data: { userId: options.userId, name: options.name, prefix, tokenHash: sha256Hex(token), expiresAt: options.expiresAt ?? null },
  });
  return { id: row.id, name: row.name, prefix, token, expiresAt: row.expiresAt };
}

/** Revokes one of the user's own tokens; false when they have no such token. */
export async function revokeApiToken(db: ApiTokensDatabase, options: { userId: string; tokenId: string; now?: Date }): Promise<boolean> {
  const { count } = await db.apiToken.updateMany({
    where: { id: options.tokenId, userId: options.userId, revokedAt: null },
    data: { revokedAt: options.now ?? new Date() },
  });
  return count > 0;
}

export interface VerifiedApiToken {
  tokenId: string;
  name: string;
  user: { id: string; email: string };
}

/** The token's owner, or null when the token is malformed, unknown, revoked, expired, or its user disabled or a guest. */
export async function verifyApiToken(db: Database, token: string, now = new Date()): Promise<VerifiedApiToken | null> {
  const match = API_TOKEN_PATTERN.exec(token);
  if (!match) return null;
  const row = await db.apiToken.findUnique({
    where: { prefix: match[1] },
    include: { user: { select: { id: true, email: true, disabled: true, guest: true } } },
  });
  if (!row || !equalHashes(row.tokenHash, sha256Hex(token))) return null;
  if (row.revokedAt || (row.expiresAt && row.expiresAt <= now) || row.user.disabled || row.user.guest) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_WRITE_INTERVAL_MS) {
    await db.apiToken.updateMany({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { tokenId: row.id, name: row.name, user: { id: row.user.id, email: row.user.email } };
}
