// Writes one read grant on one facility's copy of a study, inside the caller's
// transaction (the invitation, the referral... and its grant commit together).
import { z } from 'zod';
import { parseInput } from '../admin/errors';
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
    legalBasis: z.string().trim().min(1).max(200).nullish(),
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
  legalBasis?: string | null;
  grantedById: string | null;
  /** Default: now */
  validFrom?: Date;
  /** null = until revoked */
  validUntil?: Date | null;
  source?: GrantSource | null;
}

/** Creates the grant (AdminError INVALID_INPUT for a malformed one); returns its id. */
export async function grantStudyRead(tx: GrantsDatabase, input: GrantStudyReadInput, now = new Date()): Promise<{ id: string }> {
  const grant = parseInput(ZGrantStudyRead, input);
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
      legalBasis: grant.legalBasis ?? null,
      grantedById: grant.grantedById,
      validFrom: grant.validFrom ?? now,
      validUntil: grant.validUntil ?? null,
      sourceType: grant.source?.type ?? null,
      sourceId: grant.source?.id ?? null,
    },
    select: { id: true },
  });
}
