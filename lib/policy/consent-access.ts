// Who records, reads and revokes a patient's consents: the enabled members of the
// facility that holds the patient's record (any role: the clinician at the bedside
// records, the admin or privacy officer reviews). Anyone else gets NOT_FOUND: the
// patient's existence stays hidden. A consent recorded at a linked facility is
// shown to the person's other facilities (it governs their shares too) but only
// its own facility's members revoke it.
import type { Database } from '../../prisma/database';
import { PolicyError } from './errors';
import { personRecordRefs } from './share-basis';

export interface ConsentPatient {
  id: string;
  facilityId: string;
  patientId: string;
  issuer: string;
  name: string;
  sex: string;
  birthDate: string;
  facility: { id: string; name: string; address: string; code: string };
}

/** The patient record, when the user is an enabled member of its facility; NOT_FOUND otherwise. */
export async function authorizePatientConsent(db: Pick<Database, 'patient' | 'membership'>, userId: string, patientRef: string): Promise<ConsentPatient> {
  const patient = await db.patient.findUnique({
    where: { id: patientRef },
    select: { id: true, facilityId: true, patientId: true, issuer: true, name: true, sex: true, birthDate: true, facility: { select: { id: true, name: true, address: true, code: true, disabledAt: true } } },
  });
  if (!patient || patient.facility.disabledAt) throw new PolicyError('NOT_FOUND', 'patient not found');
  const member = await db.membership.findFirst({ where: { userId, facilityId: patient.facilityId, user: { disabled: false } }, select: { id: true } });
  if (!member) throw new PolicyError('NOT_FOUND', 'patient not found');
  const { disabledAt: _disabledAt, ...facility } = patient.facility;
  return { ...patient, facility };
}

/** The consent, when the user is an enabled member of the facility that recorded it; NOT_FOUND otherwise. */
export async function authorizeConsentChange(db: Pick<Database, 'consent' | 'membership'>, userId: string, consentId: string): Promise<{ id: string; patientRef: string; facilityId: string }> {
  const consent = await db.consent.findUnique({ where: { id: consentId }, select: { id: true, patientRef: true, facilityId: true } });
  if (!consent) throw new PolicyError('NOT_FOUND', 'consent not found');
  const member = await db.membership.findFirst({ where: { userId, facilityId: consent.facilityId, user: { disabled: false }, facility: { disabledAt: null } }, select: { id: true } });
  if (!member) throw new PolicyError('NOT_FOUND', 'consent not found');
  return consent;
}

/**
 * The consent, when the user is an enabled member of a facility holding one of the
 * person's records (the patient page shows it there too); NOT_FOUND otherwise.
 */
export async function authorizeConsentRead(db: Pick<Database, 'consent' | 'membership' | 'patient' | 'patientLink'>, userId: string, consentId: string): Promise<{ id: string; patientRef: string; facilityId: string }> {
  const consent = await db.consent.findUnique({ where: { id: consentId }, select: { id: true, patientRef: true, facilityId: true } });
  if (!consent) throw new PolicyError('NOT_FOUND', 'consent not found');
  const records = await personRecordRefs(db, consent.patientRef);
  const facilities = await db.patient.findMany({ where: { id: { in: records }, facility: { disabledAt: null } }, select: { facilityId: true } });
  const member = await db.membership.findFirst({ where: { userId, facilityId: { in: facilities.map((row) => row.facilityId) }, user: { disabled: false } }, select: { id: true } });
  if (!member) throw new PolicyError('NOT_FOUND', 'consent not found');
  return consent;
}
