// The privacy officer (or an admin) of a facility an override concerns marks it
// justified or not, with a comment (required for "not justified"). Its own
// clinician may not review it (FORBIDDEN); anyone who may not see it gets
// NOT_FOUND (lib/policy/override-access.ts). A review may be changed later:
// each one is an audit row (override.review) in the same transaction.
import { parseInput } from '../admin/errors';
import { authorizeOverrideAccess, facilitiesOfOverride } from '../policy/override-access';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import { recordOverrideAudit } from './override-audit';
import { ZReviewOverride } from './override-reasons';
import type { OverrideContext } from './override-types';

export async function reviewOverride(context: Pick<OverrideContext, 'db'>, actor: Principal, overrideId: string, input: unknown, now = new Date()): Promise<{ id: string; reviewStatus: string; reviewedAt: Date }> {
  const { db } = context;
  const rights = await authorizeOverrideAccess(db, actor.userId, overrideId);
  if (!rights.review) throw new PolicyError('FORBIDDEN', 'nobody reviews their own emergency access: a privacy officer or an administrator of a facility it concerns does');
  const review = parseInput(ZReviewOverride, input);
  await db.$transaction(async (tx) => {
    const override = await tx.emergencyOverride.update({
      where: { id: overrideId },
      data: { reviewStatus: review.status, reviewComment: review.comment, reviewedById: actor.userId, reviewedAt: now },
    });
    const facilityIds = await facilitiesOfOverride(tx, override);
    await recordOverrideAudit(tx, actor, override, facilityIds, 'override.review', { reviewStatus: review.status, comment: review.comment });
  });
  return { id: overrideId, reviewStatus: review.status, reviewedAt: now };
}
