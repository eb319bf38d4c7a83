// A patient who agreed to share their images (issue 16): since every read grant
// beyond the study's own facility needs the patient's permit
// (lib/policy/share-basis.ts), tests of second opinions, teleconsultations and
// co-signature across facilities record one in their setup, as a clinician
// would: verbal consent with a witness, the row the product stores.
// TODO(issue 16): record it through lib/consent/record-consent.ts once it exists,
// so the helper takes the product's path (validation, audit) instead of the row.
import type { Database } from '../../prisma/database';
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
