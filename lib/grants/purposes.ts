// Why a grant exists and what it covers: validated strings (the schema has no
// enums, prisma/schema.base.prisma). TELECONSULTATION is granted today; the
// others are named now so the referral, report co-signature, emergency and
// federation issues add a workflow, not a new table.
import { z } from 'zod';
import type { ShareDatabase } from '../policy/share-basis';

export const GRANT_PURPOSES = ['TELECONSULTATION', 'REFERRAL', 'REPORT_COSIGN', 'EMERGENCY', 'FEDERATION'] as const;
export type GrantPurpose = (typeof GRANT_PURPOSES)[number];
export const ZGrantPurpose = z.enum(GRANT_PURPOSES);

/** STUDY: one facility's copy of a study. PATIENT (a patient's studies, by patientRef) is reserved, not granted yet. */
export const GRANT_KINDS = ['STUDY'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

/** The workflows that own grants, so each revokes its own (sourceType + sourceId). */
export const GRANT_SOURCES = ['consultation', 'referral', 'override', 'transfer', 'federation'] as const;
export type GrantSourceType = (typeof GRANT_SOURCES)[number];

export interface GrantSource {
  type: GrantSourceType;
  id: string;
}

/**
 * A database client or the transaction client of a $transaction callback: both have the
 * delegates used here (a grant asks lib/policy/share-basis.ts for its legal basis first).
 */
export type GrantsDatabase = ShareDatabase;
