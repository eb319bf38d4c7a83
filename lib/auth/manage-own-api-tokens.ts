// The signed-in user's own API tokens, with validation and audit around
// createApiToken / revokeApiToken.
import { z } from 'zod';
import type { Database } from '../../prisma/database';
import type { Logger } from '../../pacs-core/logger';
import { parseInput } from '../admin/errors';
import { PolicyError } from '../policy/errors';
import { recordAudit } from '../audit/record-audit';
import { DEFAULT_API_TOKEN_LIFETIME_DAYS, MAX_API_TOKEN_LIFETIME_DAYS, apiTokenExpiry } from './api-token-lifetime';
import { createApiToken, revokeApiToken, type CreatedApiToken } from './api-tokens';

export const ZCreateApiTokenRequest = z.object({
  name: z.string({ error: 'Name the token' }).trim().min(1, 'Name the token, e.g. "Orthanc sync"').max(100, 'Use at most 100 characters'),
  // Whole days from now; empty or absent = the default lifetime. There is no "never".
  expiresInDays: z
    .union([
      z.literal('').transform(() => DEFAULT_API_TOKEN_LIFETIME_DAYS),
      z.null().transform(() => DEFAULT_API_TOKEN_LIFETIME_DAYS),
      z.coerce
        .number({ error: 'Enter a number of days' })
        .int('Enter a whole number of days')
        .min(1, 'At least 1 day')
        .max(MAX_API_TOKEN_LIFETIME_DAYS, `At most ${MAX_API_TOKEN_LIFETIME_DAYS} days: renew the token then`),
    ])
    .default(DEFAULT_API_TOKEN_LIFETIME_DAYS),
});

interface Owner {
  userId: string;
  email: string;
  ip: string;
}

export async function createOwnApiToken(context: { db: Database; logger: Logger }, owner: Owner, input: unknown, now = new Date()): Promise<CreatedApiToken> {
  const { name, expiresInDays } = parseInput(ZCreateApiTokenRequest, input);
  const expiresAt = apiTokenExpiry(expiresInDays, now);
  // The token and its audit row commit together (lib/audit/record-audit.ts)
  return context.db.$transaction(async (tx) => {
    const created = await createApiToken(tx, { userId: owner.userId, name, expiresAt });
    await recordAudit(tx, {
      actor: owner.email,
      actorUserId: owner.userId,
      action: 'account.create_api_token',
      outcome: 'SUCCESS',
      sourceIp: owner.ip,
      resource: `api-token:${created.id}`,
      details: { name, prefix: created.prefix, expiresAt: expiresAt.toISOString() },
    });
    return created;
  });
}

export async function revokeOwnApiToken(context: { db: Database; logger: Logger }, owner: Owner, tokenId: string): Promise<void> {
  await context.db.$transaction(async (tx) => {
    const revoked = await revokeApiToken(tx, { userId: owner.userId, tokenId });
    if (!revoked) throw new PolicyError('NOT_FOUND', 'token not found');
    await recordAudit(tx, { actor: owner.email, actorUserId: owner.userId, action: 'account.revoke_api_token', outcome: 'SUCCESS', sourceIp: owner.ip, resource: `api-token:${tokenId}` });
  });
}
