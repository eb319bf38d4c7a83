// Writes one read grant on one facility's copy of a study, inside the caller's
// transaction (the invitation, the referral... and its grant commit together).
import { z } from 'zod';
import { parseInput } from '../admin/errors';
import { isConsentRequiredError, shareBasisFor } from '../policy/share-basis';
import { GRANT_SOURCES, ZGrantPurpose, type GrantSource, type GrantsDatabase } from './purposes';

/** Exactly one grantee: a user, a service of a facility, or every member of a facility. */
export type GrantGrantee = { userId: string } | { serviceId: string } | { facilityId: string };

const ZGrantee = z.union([
  z.object({ userId: z.string().min(1) }).strict(),
  z.object({ serviceId: z.string().min(1) }).strict(),
  z.object({ facilityId: z.string().min(1) }).strict(),
], { error: 'Name exactly one grantee: a user, a service or a facility' });

const ZGrantStudyRead = z
  .object({
    grantee: ZGrantee,
    /** The Study row (one facility's copy) */
    study: z.object({ id: z.string().min(1), facilityId: z.string().min(1), studyInstanceUid: z.string().min(1).max(64) }),
    purpose: ZGrantPurpose,
    overrideId: z.string().min(1).nullish(),
    grantedById: z.string().min(1).nullable(),
    validFrom: z.date().optional(),
    validUntil: z.date().nullish(),
    source: z.object({ type: z.enum(GRANT_SOURCES), id: z.string().min(1) }).nullish(),
  })
  .refine((grant) => !grant.validUntil || !grant.validFrom || grant.validUntil > grant.validFrom, { message: 'A grant must end after it starts', path: ['validUntil'] });

export interface GrantStudyReadInput {
  grantee: GrantGrantee;
  study: { id: string; facilityId: string; studyInstanceUid: string };
  purpose: string;
  /** The emergency override the workflow rests on (its record names it); otherwise consent decides */
  overrideId?: string | null;
  grantedById: string | null;
  /** Default: now */
  validFrom?: Date;
  /** null = until revoked */
  validUntil?: Date | null;
  source?: GrantSource | null;
}

/**
 * Creates the grant on the legal basis lib/policy/share-basis.ts finds (ConsentRequiredError,
 * 409, when there is none; AdminError INVALID_INPUT for a malformed one); returns its id.
 * A grant never outlives its basis: its end is the earlier of the asked end and the basis's.
 */
export async function grantStudyRead(tx: GrantsDatabase, input: GrantStudyReadInput, now = new Date()): Promise<{ id: string }> {
  const grant = parseInput(ZGrantStudyRead, input);
  const basis = await shareBasisFor(tx, { study: grant.study, grantee: grant.grantee, purpose: grant.purpose, overrideId: grant.overrideId ?? null }, now).catch((error: unknown) => {
    if (isConsentRequiredError(error)) error.attemptedBy = grant.grantedById;
    throw error;
  });
  const asked = grant.validUntil ?? null;
  const validUntil = basis.until && (!asked || basis.until < asked) ? basis.until : asked;
  return tx.accessGrant.create({
    data: {
      granteeUserId: 'userId' in grant.grantee ? grant.grantee.userId : null,
      granteeServiceId: 'serviceId' in grant.grantee ? grant.grantee.serviceId : null,
      granteeFacilityId: 'facilityId' in grant.grantee ? grant.grantee.facilityId : null,
      kind: 'STUDY',
      studyRef: grant.study.id,
      studyFacilityId: grant.study.facilityId,
      studyInstanceUid: grant.study.studyInstanceUid,
      purpose: grant.purpose,
      legalBasis: basis.legalBasis,
      consentId: basis.consentId,
      overrideId: basis.overrideId,
      grantedById: grant.grantedById,
      validFrom: grant.validFrom ?? now,
      validUntil,
      sourceType: grant.source?.type ?? null,
      sourceId: grant.source?.id ?? null,
    },
    select: { id: true },
  });
}
