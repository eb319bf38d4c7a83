// The consents (lib/consent) as the FHIR Consent is made from: the row, its
// patient record, the names of its facility and recipient, and the study
// copies its chosen studies are. Access is the portal's (lib/policy/consent-access.ts):
// members of a facility holding one of the person's records read them;
// anyone else gets NOT_FOUND. The patient a posted Consent names is looked
// up only in the caller's own facilities: "not there" and "not yours" are one answer.
import type { Database, Prisma } from '../../prisma/database';
import { parseList } from '../consent/consent-types';
import { recipientWords } from '../consent/consent-words';
import { authorizeConsentRead } from '../policy/consent-access';
import { PolicyError } from '../policy/errors';
import { personRecordRefs } from '../policy/share-basis';
import { refusedElement, type ConsentStudyPointer } from './consent-input';
import type { PatientRow } from './patient-reference';
import { issuerMatches, type TokenValue } from './search-params';

const CONSENT_ROW = {
  id: true,
  patientRef: true,
  facilityId: true,
  status: true,
  decision: true,
  recipientKind: true,
  recipientFacilityId: true,
  recipientServiceId: true,
  recipientUserId: true,
  purposes: true,
  dataScope: true,
  studyUids: true,
  validFrom: true,
  validUntil: true,
  evidenceKind: true,
  signerRole: true,
  signerName: true,
  representativeRelation: true,
  documentKey: true,
  recordedAt: true,
  revokedAt: true,
  revokeReason: true,
  updatedAt: true,
  patient: { select: { id: true, patientId: true, issuer: true, name: true } },
} as const satisfies Prisma.ConsentSelect;

type ConsentRow = Prisma.ConsentGetPayload<{ select: typeof CONSENT_ROW }>;

export interface FhirConsent extends ConsentRow {
  patient: PatientRow;
  facility: { id: string; name: string };
  recipientDisplay: string;
  /** Each chosen study: its UID and the copy an ImagingStudy/<id> names (null once deleted) */
  studies: { studyInstanceUid: string; studyRef: string | null }[];
}

/** At most this many consents per search (a person has a handful) */
export const MAX_CONSENTS = 500;

async function withNames(db: Database, rows: ConsentRow[]): Promise<FhirConsent[]> {
  const facilities = await db.facility.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.facilityId))] } }, select: { id: true, name: true } });
  const result: FhirConsent[] = [];
  for (const row of rows) {
    const uids = row.dataScope === 'STUDIES' ? parseList(row.studyUids) : [];
    const copies = uids.length ? await db.study.findMany({ where: { studyInstanceUid: { in: uids }, patientRef: { in: await personRecordRefs(db, row.patientRef) } }, select: { id: true, studyInstanceUid: true, facilityId: true } }) : [];
    result.push({
      ...row,
      facility: facilities.find((facility) => facility.id === row.facilityId) ?? { id: row.facilityId, name: '' },
      recipientDisplay: await recipientWords(db, row),
      studies: uids.map((uid) => {
        // The copy at the facility that recorded the consent first: the one its members know
        const copy = copies.find((study) => study.studyInstanceUid === uid && study.facilityId === row.facilityId) ?? copies.find((study) => study.studyInstanceUid === uid);
        return { studyInstanceUid: uid, studyRef: copy?.id ?? null };
      }),
    });
  }
  return result;
}

/** One consent the caller may read, or NOT_FOUND */
export async function readableConsent(db: Database, userId: string, id: string): Promise<FhirConsent> {
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw new PolicyError('NOT_FOUND', 'consent not found');
  await authorizeConsentRead(db, userId, id);
  const row = await db.consent.findUniqueOrThrow({ where: { id }, select: CONSENT_ROW });
  return (await withNames(db, [row]))[0];
}

/** The patient records of the caller's facilities (enabled member, enabled facility) with this ID */
export async function callerPatientRecords(db: Database, userId: string, where: { identifier: TokenValue } | { patientRef: string }): Promise<PatientRow[]> {
  const memberships = await db.membership.findMany({ where: { userId, user: { disabled: false }, facility: { disabledAt: null } }, select: { facilityId: true } });
  const rows = await db.patient.findMany({
    where: { facilityId: { in: memberships.map((row) => row.facilityId) }, ...('patientRef' in where ? { id: where.patientRef } : { patientId: where.identifier.value }) },
    select: { id: true, patientId: true, issuer: true, name: true },
    orderBy: { id: 'asc' },
  });
  return 'identifier' in where ? rows.filter((row) => issuerMatches(where.identifier, row.issuer)) : rows;
}

/** The one patient record a posted Consent names, in the caller's facilities; 422 otherwise (nothing is said of other facilities) */
export async function consentPatient(db: Database, userId: string, patient: { identifier: TokenValue } | { patientRef: string }): Promise<string> {
  const records = await callerPatientRecords(db, userId, patient);
  if (records.length === 0) throw refusedElement('Consent.patient', 'No patient with this identifier in your facility.');
  if (records.length > 1) throw refusedElement('Consent.patient', 'Several patient records of your facilities have this ID: give the identifier\'s system (the issuer) or Patient/<id>.');
  return records[0].id;
}

/** The Study Instance UIDs of the chosen studies, each one of the person's (any linked record); 422 naming the entry otherwise */
export async function consentStudyUids(db: Database, patientRef: string, pointers: readonly ConsentStudyPointer[]): Promise<string[]> {
  const records = await personRecordRefs(db, patientRef);
  const uids: string[] = [];
  for (const [index, pointer] of pointers.entries()) {
    const study = await db.study.findFirst({ where: { patientRef: { in: records }, ...('uid' in pointer ? { studyInstanceUid: pointer.uid } : { id: pointer.studyRef }) }, select: { studyInstanceUid: true } });
    if (!study) throw refusedElement(`Consent.provision.data[${index}]`, `${'uid' in pointer ? `urn:oid:${pointer.uid}` : `ImagingStudy/${pointer.studyRef}`} is not a study of this patient.`);
    uids.push(study.studyInstanceUid);
  }
  return [...new Set(uids)];
}

/** The consents of the given records' persons, newest first; the matching ones by status */
export async function patientConsents(db: Database, patientRefs: readonly string[], statuses: readonly string[] | null): Promise<FhirConsent[]> {
  const records = new Set<string>();
  for (const ref of patientRefs) for (const record of await personRecordRefs(db, ref)) records.add(record);
  if (!records.size) return [];
  const rows = await db.consent.findMany({
    where: { patientRef: { in: [...records] }, ...(statuses ? { status: { in: [...statuses] } } : {}) },
    select: CONSENT_ROW,
    orderBy: [{ recordedAt: 'desc' }, { id: 'asc' }],
    take: MAX_CONSENTS,
  });
  return withNames(db, rows);
}
