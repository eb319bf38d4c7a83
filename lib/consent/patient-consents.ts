// The patient page's consent panel (issue 16): the person's consents across
// linked records (status at a glance: active permits and denies, period,
// evidence), and the history of every share of their images beyond the holding
// facility with the basis each rested on — what a patient asking "who saw my
// images?" is shown. For members of the record's facility (lib/policy/consent-access.ts).
import type { Database } from '../../prisma/database';
import { auditQueueFor } from '../audit/audit-queue';
import { authorizePatientConsent } from '../policy/consent-access';
import { personRecordRefs } from '../policy/share-basis';
import type { Runtime } from '../runtime';
import { CONSENT_PURPOSE_OF_GRANT, parseList } from './consent-types';
import { dataWords, purposeWords, recipientWords } from './consent-words';
import type { GrantPurpose } from '../grants/purposes';
import type { ConsentActor } from './record-consent';

/** What a consent counts as now: active, not yet started, expired, revoked, entered in error. */
export type ConsentState = 'ACTIVE' | 'PENDING' | 'EXPIRED' | 'REVOKED' | 'ENTERED_IN_ERROR';

export interface ConsentView {
  id: string;
  decision: string;
  state: ConsentState;
  recipient: string;
  recipientKind: string;
  purposes: string[];
  purposeWords: string;
  data: string;
  dataScope: string;
  studyUids: string[];
  validFrom: Date;
  validUntil: Date | null;
  evidence: string;
  signerRole: string;
  signerName: string;
  representativeRelation: string;
  witnessName: string;
  note: string;
  form: { title: string; version: number; language: string } | null;
  recordedBy: string;
  recordedAt: Date;
  facility: string;
  source: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokeReason: string;
  /** The evidence PDF can be opened (GET /api/consents/{id}/document) */
  hasDocument: boolean;
  /** Filed in the archive as an Encapsulated PDF */
  archived: boolean;
  /** The viewer's facility recorded it and it still counts: they may revoke it */
  mayRevoke: boolean;
}

export interface ShareView {
  grantId: string;
  grantee: string;
  purpose: string;
  study: { studyInstanceUid: string; description: string; date: string; facility: string };
  /** CONSENT | EMERGENCY_OVERRIDE | VITAL_INTEREST | NOT_REQUIRED | null (before consent was enforced) */
  legalBasis: string | null;
  basis: string;
  consentId: string | null;
  overrideId: string | null;
  grantedBy: string | null;
  from: Date;
  until: Date | null;
  revokedAt: Date | null;
  revokeReason: string;
  active: boolean;
}

export interface PatientConsents {
  patientRef: string;
  summary: { activePermits: number; activeDenies: number };
  consents: ConsentView[];
  shares: ShareView[];
}

export function consentState(consent: { status: string; validFrom: Date; validUntil: Date | null }, now: Date): ConsentState {
  if (consent.status === 'entered-in-error') return 'ENTERED_IN_ERROR';
  if (consent.status !== 'active') return 'REVOKED';
  if (consent.validFrom > now) return 'PENDING';
  if (consent.validUntil && consent.validUntil <= now) return 'EXPIRED';
  return 'ACTIVE';
}

export async function getPatientConsents(context: Pick<Runtime, 'db' | 'logger' | 'shared' | 'config'>, actor: ConsentActor, patientRef: string, now = new Date()): Promise<PatientConsents> {
  const { db } = context;
  const patient = await authorizePatientConsent(db, actor.userId, patientRef);
  const records = await personRecordRefs(db, patient.id);
  const rows = await db.consent.findMany({
    where: { patientRef: { in: records } },
    orderBy: [{ recordedAt: 'desc' }, { id: 'asc' }],
    include: { form: { select: { title: true, version: true, language: true } } },
  });
  const people = await namesOf(db, [...rows.flatMap((row) => [row.recordedById, row.revokedById])]);
  const facilities = await db.facility.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.facilityId))] } }, select: { id: true, name: true } });
  const studies = await db.study.findMany({ where: { patientRef: { in: records } }, select: { id: true, studyInstanceUid: true, description: true, studyDate: true, facility: { select: { name: true } } } });
  const studyList = studies.map((study) => ({ studyInstanceUid: study.studyInstanceUid, description: study.description, date: isoDate(study.studyDate) }));
  const consents: ConsentView[] = [];
  for (const row of rows) {
    const state = consentState(row, now);
    consents.push({
      id: row.id,
      decision: row.decision,
      state,
      recipient: await recipientWords(db, row),
      recipientKind: row.recipientKind,
      purposes: parseList(row.purposes),
      purposeWords: purposeWords(parseList(row.purposes)),
      data: dataWords(row, studyList),
      dataScope: row.dataScope,
      studyUids: parseList(row.studyUids),
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      evidence: row.evidenceKind,
      signerRole: row.signerRole,
      signerName: row.signerName,
      representativeRelation: row.representativeRelation,
      witnessName: row.witnessName,
      note: row.note,
      form: row.form,
      recordedBy: people.get(row.recordedById ?? '') ?? (row.source === 'FHIR' ? 'a hospital system (FHIR)' : 'unknown'),
      recordedAt: row.recordedAt,
      facility: facilities.find((facility) => facility.id === row.facilityId)?.name ?? '',
      source: row.source,
      revokedAt: row.revokedAt,
      revokedBy: row.revokedById ? (people.get(row.revokedById) ?? null) : null,
      revokeReason: row.revokeReason,
      hasDocument: row.documentKey !== null,
      archived: row.archivedSopInstanceUid !== null,
      mayRevoke: row.facilityId === patient.facilityId && (state === 'ACTIVE' || state === 'PENDING'),
    });
  }

  // Every grant beyond the holding facility on the person's studies: the share history
  const grants = await db.accessGrant.findMany({
    where: { study: { patientRef: { in: records } } },
    orderBy: [{ validFrom: 'desc' }, { id: 'asc' }],
    select: {
      id: true, purpose: true, legalBasis: true, granteeUserId: true, granteeFacilityId: true, studyFacilityId: true, consentId: true, overrideId: true, grantedById: true, validFrom: true, validUntil: true, revokedAt: true, revokeReason: true, studyRef: true,
      granteeUser: { select: { name: true, email: true, guest: true } }, granteeService: { select: { name: true, facilityId: true, facility: { select: { name: true } } } }, granteeFacility: { select: { name: true } },
    },
    take: 500,
  });
  const granters = await namesOf(db, grants.map((grant) => grant.grantedById));
  const overrides = await db.emergencyOverride.findMany({ where: { id: { in: grants.map((grant) => grant.overrideId).filter((id): id is string => id !== null) } }, select: { id: true, reasonCode: true, reasonText: true, userId: true } });
  const overridePeople = await namesOf(db, overrides.map((override) => override.userId));
  const memberships = await db.membership.findMany({
    where: { userId: { in: grants.map((grant) => grant.granteeUserId).filter((id): id is string => id !== null) }, facilityId: { in: [...new Set(grants.map((grant) => grant.studyFacilityId))] } },
    select: { userId: true, facilityId: true },
  });
  const inside = (grant: (typeof grants)[number]) =>
    grant.granteeFacilityId === grant.studyFacilityId ||
    grant.granteeService?.facilityId === grant.studyFacilityId ||
    memberships.some((row) => row.userId === grant.granteeUserId && row.facilityId === grant.studyFacilityId);
  const shares: ShareView[] = grants
    // Grants inside the holding facility (the host of their own consultation, its own service) are not shares
    .filter((grant) => !inside(grant))
    .map((grant) => {
      const study = studies.find((row) => row.id === grant.studyRef);
      const consent = consents.find((row) => row.id === grant.consentId);
      const override = overrides.find((row) => row.id === grant.overrideId);
      const active = grant.revokedAt === null && (grant.validUntil === null || grant.validUntil > now);
      return {
        grantId: grant.id,
        grantee: grant.granteeUser ? `${grant.granteeUser.name}${grant.granteeUser.guest ? ' (guest)' : ''}` : grant.granteeService ? `${grant.granteeService.name}, ${grant.granteeService.facility.name}` : (grant.granteeFacility?.name ?? ''),
        purpose: CONSENT_PURPOSE_OF_GRANT[grant.purpose as GrantPurpose] ?? grant.purpose,
        study: { studyInstanceUid: study?.studyInstanceUid ?? '', description: study?.description ?? '', date: isoDate(study?.studyDate ?? ''), facility: study?.facility.name ?? '' },
        legalBasis: grant.legalBasis,
        basis: basisWords(grant.legalBasis, consent, override ? { ...override, by: overridePeople.get(override.userId) ?? '' } : undefined),
        consentId: grant.consentId,
        overrideId: grant.overrideId,
        grantedBy: grant.grantedById ? (granters.get(grant.grantedById) ?? null) : null,
        from: grant.validFrom,
        until: grant.validUntil,
        revokedAt: grant.revokedAt,
        revokeReason: grant.revokeReason ?? '',
        active,
      };
    });
  auditQueueFor(context).enqueue({
    actor: actor.email,
    actorUserId: actor.userId,
    action: 'consent.view',
    outcome: 'SUCCESS',
    facilityId: patient.facilityId,
    patientId: patient.patientId,
    sourceIp: actor.ip,
    resource: `patients/${patient.id}/consents`,
    details: { consents: consents.length, shares: shares.length },
  });
  return {
    patientRef: patient.id,
    summary: { activePermits: consents.filter((row) => row.state === 'ACTIVE' && row.decision === 'PERMIT').length, activeDenies: consents.filter((row) => row.state === 'ACTIVE' && row.decision === 'DENY').length },
    consents,
    shares,
  };
}

function basisWords(legalBasis: string | null, consent: ConsentView | undefined, override: { reasonCode: string; reasonText: string; by: string } | undefined): string {
  if (legalBasis === 'CONSENT') return consent ? `Consent recorded ${consent.recordedAt.toISOString().slice(0, 10)} (${consent.evidence.toLowerCase()})${consent.state === 'ACTIVE' ? '' : `, now ${consent.state.toLowerCase().replaceAll('_', ' ')}`}` : 'Consent';
  if (legalBasis === 'EMERGENCY_OVERRIDE') return override ? `Emergency override by ${override.by}: ${override.reasonText || override.reasonCode.toLowerCase().replaceAll('_', ' ')}` : 'Emergency override';
  if (legalBasis === 'VITAL_INTEREST') return `Vital interest: emergency transfer notice${override ? ` by ${override.by} (${override.reasonText})` : ''}`;
  if (legalBasis === 'NOT_REQUIRED') return 'No consent needed (inside the facility, or not required by its rules)';
  return 'Made before consent was enforced';
}

async function namesOf(db: Pick<Database, 'user'>, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (!wanted.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(users.map((user) => [user.id, user.name]));
}

function isoDate(date: string): string {
  return date.length === 8 ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : '';
}
