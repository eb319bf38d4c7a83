// A patient who agreed to share their images (issue 16): since every read grant
// beyond the study's own facility needs the patient's permit
// (lib/policy/share-basis.ts), tests of second opinions, teleconsultations and
// co-signature across facilities record one in their setup, as a clinician
// would: verbal consent with a witness, the row the product stores. The row is
// written directly, not through lib/consent/record-consent.ts: that path needs an
// archive (the evidence PDF is stored and filed) and a clinician of the patient's
// facility, which most of these tests have no use for; its own tests cover it.
import type { Database } from '../../prisma/database';
import { consentRequiredFor } from '../../lib/consent/consent-rules';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../lib/consent/consent-types';

/** To whom the patient agreed: any facility of the region (default), or one facility, service or person. */
export type SharingRecipient = 'REGION' | { facilityId: string } | { serviceId: string } | { userId: string };

export interface PermitSharingOptions {
  recipient?: SharingRecipient;
  /** Default: every purpose */
  purposes?: readonly ConsentPurpose[];
  /** Only these studies (Study Instance UIDs); default: all imaging */
  studyUids?: readonly string[];
  /** The clinician who recorded it (User.id) */
  recordedById?: string | null;
  /** Default: a minute ago */
  validFrom?: Date;
  /** Default: until revoked */
  validUntil?: Date | null;
}

/** Records an active PERMIT for the patient record `patientRef` (it covers the person's linked records); returns its id. */
export async function permitSharing(db: Pick<Database, 'consent' | 'patient'>, patientRef: string, options: PermitSharingOptions = {}): Promise<{ id: string }> {
  const patient = await db.patient.findUniqueOrThrow({ where: { id: patientRef }, select: { facilityId: true, name: true } });
  const recipient = options.recipient ?? 'REGION';
  return db.consent.create({
    data: {
      patientRef,
      facilityId: patient.facilityId,
      status: 'active',
      decision: 'PERMIT',
      recipientKind: recipient === 'REGION' ? 'REGION' : 'facilityId' in recipient ? 'FACILITY' : 'serviceId' in recipient ? 'SERVICE' : 'USER',
      recipientFacilityId: recipient !== 'REGION' && 'facilityId' in recipient ? recipient.facilityId : null,
      recipientServiceId: recipient !== 'REGION' && 'serviceId' in recipient ? recipient.serviceId : null,
      recipientUserId: recipient !== 'REGION' && 'userId' in recipient ? recipient.userId : null,
      purposes: JSON.stringify(options.purposes ?? CONSENT_PURPOSES),
      dataScope: options.studyUids ? 'STUDIES' : 'ALL',
      studyUids: JSON.stringify(options.studyUids ?? []),
      validFrom: options.validFrom ?? new Date(Date.now() - 60_000),
      validUntil: options.validUntil ?? null,
      evidenceKind: 'VERBAL',
      signerRole: 'PATIENT',
      signerName: patient.name.replace(/\^/g, ' ').trim() || 'The patient',
      witnessName: 'Nurse Wanda Witness',
      note: 'The patient agreed, in the presence of the witness, to the sharing of their images.',
      recordedById: options.recordedById ?? null,
      source: 'PORTAL',
    },
    select: { id: true },
  });
}

/** The patient record (Patient.id) of one facility's copy of a study. */
export async function patientRefOfStudy(db: Pick<Database, 'study'>, studyInstanceUid: string, facilityId: string): Promise<string> {
  const study = await db.study.findUniqueOrThrow({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid } }, select: { patientRef: true } });
  return study.patientRef;
}

/**
 * The facility's admin no longer requires consent for these purposes (lib/consent/consent-rules.ts),
 * e.g. TELECONSULTATION for a facility whose teleconsultations invite guests by link: no consent
 * can name a guest, so a guest link needs that rule or an emergency override (lib/consult/guest-links.ts).
 */
export async function consentNotRequiredFor(db: Pick<Database, 'facility'>, facilityId: string, purposes: readonly ConsentPurpose[]): Promise<void> {
  const facility = await db.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { consentRequiredFor: true } });
  const requiredFor = consentRequiredFor(facility.consentRequiredFor).filter((purpose) => !purposes.includes(purpose));
  await db.facility.update({ where: { id: facilityId }, data: { consentRequiredFor: JSON.stringify(requiredFor) } });
}
