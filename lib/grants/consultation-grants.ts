// The teleconsultation's read grant, on the grants table: each participant of
// an open consultation (host, invited colleague, guest) holds a grant on the
// consultation facility's copy of its study, written in the transaction that
// makes them a participant and revoked in the one that ends the consultation
// (or lets the guest go). Source: 'consultation' + its id.
import type { GrantsDatabase } from './purposes';
import { grantStudyRead } from './grant-study-read';
import { revokeGrants, type Revocation, type RevokedGrant } from './revoke-grants';

export interface ConsultedStudy {
  consultationId: string;
  /** The Study row of the consultation facility's copy */
  studyRef: string;
  facilityId: string;
  studyInstanceUid: string;
  /** The emergency override the consultation rests on (Consultation.overrideId), else consent decides */
  overrideId?: string | null;
}

export interface ConsultationGrantee {
  userId: string;
  /** A guest's grant ends with their link (and their session); null = until the consultation ends */
  validUntil?: Date | null;
}

export async function grantConsultationReads(tx: GrantsDatabase, study: ConsultedStudy, grantees: readonly ConsultationGrantee[], grantedById: string | null, now = new Date()): Promise<void> {
  for (const grantee of grantees) {
    await grantStudyRead(
      tx,
      {
        grantee: { userId: grantee.userId },
        study: { id: study.studyRef, facilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid },
        purpose: 'TELECONSULTATION',
        overrideId: study.overrideId ?? null,
        grantedById,
        validFrom: now,
        validUntil: grantee.validUntil ?? null,
        source: { type: 'consultation', id: study.consultationId },
      },
      now,
    );
  }
}

/** Revokes the consultation's grants (of one participant when userId is given). */
export function revokeConsultationReads(tx: GrantsDatabase, consultationId: string, revocation: Revocation, userId?: string, now = new Date()): Promise<RevokedGrant[]> {
  return revokeGrants(tx, { source: { type: 'consultation', id: consultationId }, granteeUserId: userId }, revocation, now);
}
