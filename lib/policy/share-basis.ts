// The legal basis of every read grant beyond the study's own facility (issue 16):
// the one place a share is allowed or refused. lib/grants/grant-study-read.ts asks
// here before it writes any grant row, for every workflow (teleconsultation invite
// and guest link, second opinion, emergency, federation), inside the workflow's
// transaction, and records what the grant rests on.
//
// Rules, in order:
//   1. a grantee inside the study's facility needs nothing (NOT_REQUIRED);
//   2. a named emergency override that is running and covers the patient is the basis
//      (EMERGENCY_OVERRIDE; the grant ends with it) — VITAL_INTEREST when it is an emergency
//      transfer notice's (lib/transfers, reason TRANSFER_NOTICE); once it has ended, the rules below decide
//      (a case opened on an override goes on when the patient's consent is recorded since);
//   3. a purpose the facility's admin does not require consent for needs nothing;
//   4. otherwise an active permit of the person (any linked record) covering that
//      grantee, purpose and study, and no deny covering them: a deny overrides a permit.
//      The grant ends with the permit, or when a covering deny recorded to start later starts.
// shareOutlook answers the same question without writing (a listing of what another node
// could retrieve, lib/federation/history), so a listing never creates or counts a grant.
// Races: the share locks the permit row it rests on (uses + 1) before it reads the
// denies again; a revocation or a deny locks the same rows, so of a share and a
// revocation racing, either the share fails or its grant is ended by the revocation.
import type { Database } from '../../prisma/database';
import { DomainError } from '../errors';
import { CONSENT_PURPOSE_OF_GRANT, CONSENT_PURPOSE_WORDS, parseList, type ConsentPurpose, type LegalBasis } from '../consent/consent-types';
import { consentRequiredFor } from '../consent/consent-rules';
import type { GrantPurpose } from '../grants/purposes';
import { TRANSFER_OVERRIDE_REASON } from '../transfers/transfer-words';

export type ShareDatabase = Pick<Database, 'accessGrant' | 'consent' | 'emergencyOverride' | 'study' | 'patientLink' | 'membership' | 'serviceMember' | 'service' | 'facility' | 'user'>;

/**
 * Exactly one grantee (as lib/grants names them), or a guest not invited yet (a guest link
 * asks before it is made: a guest belongs to no facility, so no consent names them).
 */
export type ShareGrantee = { userId: string } | { serviceId: string } | { facilityId: string } | { guestName: string };

export interface ShareRequest {
  study: { id: string; facilityId: string; studyInstanceUid: string };
  grantee: ShareGrantee;
  purpose: GrantPurpose;
  /** The emergency override the workflow rests on (its own record names it), if any */
  overrideId?: string | null;
}

export interface ShareBasis {
  legalBasis: LegalBasis;
  consentId: string | null;
  overrideId: string | null;
  /** The grant may not outlive its basis (the consent's end, the override's end); null = no limit */
  until: Date | null;
}

/** What the refusal tells the page: which patient, what is missing, and what it may offer. */
export interface ConsentShortfall {
  patientRef: string;
  purpose: ConsentPurpose;
  /** The grantee, in words */
  recipient: string;
  /** A deny covers this share (recording a new permit would not help until it is revoked) */
  denied: boolean;
}

export class ConsentRequiredError extends DomainError {
  override readonly name = 'ConsentRequiredError';
  /** Who tried to share (lib/grants sets it): the refusal is audited for the data's owner (lib/consent/refused-share.ts) */
  attemptedBy: string | null = null;
  constructor(
    readonly shortfall: ConsentShortfall,
    message: string,
    /** The study copy's facility, patient (MRN) and study: not answered, only audited */
    readonly owner: { facilityId: string; patientId: string; studyUid: string },
  ) {
    super('CONSENT_REQUIRED', message, { details: { consent: shortfall } });
  }
}

export function isConsentRequiredError(error: unknown): error is ConsentRequiredError {
  return error instanceof ConsentRequiredError;
}

/** Decides the basis of one grant, or throws ConsentRequiredError (nothing written but the permit's lock). */
export async function shareBasisFor(tx: ShareDatabase, request: ShareRequest, now = new Date()): Promise<ShareBasis> {
  const study = await tx.study.findUnique({ where: { id: request.study.id }, select: { patientRef: true, studyInstanceUid: true, facilityId: true, patient: { select: { patientId: true } }, facility: { select: { consentRequiredFor: true } } } });
  if (!study) throw new DomainError('NOT_FOUND', `study copy ${request.study.id} not found`, { userMessage: 'Not found.' });
  if (await insideFacility(tx, request.grantee, request.study.facilityId)) return { legalBasis: 'NOT_REQUIRED', consentId: null, overrideId: null, until: null };
  const purpose = CONSENT_PURPOSE_OF_GRANT[request.purpose];
  const records = await personRecordRefs(tx, study.patientRef);

  if (request.overrideId) {
    // Locks the override against its end racing this share (the end revokes what rests on it)
    const running = await tx.emergencyOverride.updateMany({ where: { id: request.overrideId, endedAt: null, endsAt: { gt: now }, patientRef: { in: records } }, data: { stopRecordedAt: null } });
    if (running.count === 1) {
      const override = await tx.emergencyOverride.findUniqueOrThrow({ where: { id: request.overrideId }, select: { endsAt: true, reasonCode: true } });
      const legalBasis = override.reasonCode === TRANSFER_OVERRIDE_REASON ? 'VITAL_INTEREST' : 'EMERGENCY_OVERRIDE';
      return { legalBasis, consentId: null, overrideId: request.overrideId, until: override.endsAt };
    }
    // Ended: the workflow goes on on the other bases (the facility's rule, a consent recorded since)
  }
  if (!consentRequiredFor(study.facility.consentRequiredFor).includes(purpose)) return { legalBasis: 'NOT_REQUIRED', consentId: null, overrideId: null, until: null };

  const covers = await recipientMatcher(tx, request.grantee);
  const applicable = () => consentsInForce(tx, records, { purpose, studyInstanceUid: study.studyInstanceUid, covers }, now);

  const permits = (await applicable()).filter((consent) => consent.decision === 'PERMIT');
  for (const permit of permits) {
    const locked = await tx.consent.updateMany({ where: { id: permit.id, status: 'active', revokedAt: null }, data: { uses: { increment: 1 } } });
    if (locked.count !== 1) continue;
    // Read again with the permit locked: a deny committed meanwhile wins
    if ((await applicable()).some((consent) => consent.decision === 'DENY')) throw await refusal(tx, request, study, purpose, true);
    // A deny recorded to start later ends the grant when it starts
    const denyStarts = await pendingDenyStart(tx, records, { purpose, studyInstanceUid: study.studyInstanceUid, covers }, now);
    const until = denyStarts && (!permit.validUntil || denyStarts < permit.validUntil) ? denyStarts : permit.validUntil;
    return { legalBasis: 'CONSENT', consentId: permit.id, overrideId: null, until };
  }
  throw await refusal(tx, request, study, purpose, (await applicable()).some((consent) => consent.decision === 'DENY'));
}

/** The person's consents in force now that cover this grantee, purpose and study, newest first. */
async function consentsInForce(tx: Pick<Database, 'consent'>, records: readonly string[], share: { purpose: ConsentPurpose; studyInstanceUid: string; covers: (consent: RecipientColumns) => boolean }, now: Date) {
  return (await tx.consent.findMany({
    where: { patientRef: { in: [...records] }, status: 'active', revokedAt: null, validFrom: { lte: now }, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    select: { id: true, decision: true, purposes: true, dataScope: true, studyUids: true, recipientKind: true, recipientFacilityId: true, recipientServiceId: true, recipientUserId: true, validUntil: true },
    orderBy: { recordedAt: 'desc' },
  })).filter((consent) => consentCovers(consent, share));
}

export type ShareOutlook = { allowed: true; legalBasis: 'CONSENT' | 'NOT_REQUIRED'; consentId: string | null } | { allowed: false; denied: boolean };

/**
 * Whether a share of this study with this grantee would have a legal basis now, by the rules
 * above but writing nothing (no grant, no lock, no use counted): for a listing of what may be
 * shared (lib/federation/history: another node asks what it could retrieve). Emergency overrides
 * are not considered (they are the asking workflow's record). The share itself, when it is
 * made, goes through shareBasisFor and may still be refused (a consent revoked meanwhile).
 */
export async function shareOutlook(tx: ShareDatabase, request: Omit<ShareRequest, 'overrideId'>, now = new Date()): Promise<ShareOutlook> {
  const study = await tx.study.findUnique({ where: { id: request.study.id }, select: { patientRef: true, studyInstanceUid: true, facilityId: true, facility: { select: { consentRequiredFor: true } } } });
  if (!study) return { allowed: false, denied: false };
  if (await insideFacility(tx, request.grantee, study.facilityId)) return { allowed: true, legalBasis: 'NOT_REQUIRED', consentId: null };
  const purpose = CONSENT_PURPOSE_OF_GRANT[request.purpose];
  if (!consentRequiredFor(study.facility.consentRequiredFor).includes(purpose)) return { allowed: true, legalBasis: 'NOT_REQUIRED', consentId: null };
  const records = await personRecordRefs(tx, study.patientRef);
  const consents = await consentsInForce(tx, records, { purpose, studyInstanceUid: study.studyInstanceUid, covers: await recipientMatcher(tx, request.grantee) }, now);
  if (consents.some((consent) => consent.decision === 'DENY')) return { allowed: false, denied: true };
  const permit = consents.find((consent) => consent.decision === 'PERMIT');
  return permit ? { allowed: true, legalBasis: 'CONSENT', consentId: permit.id } : { allowed: false, denied: false };
}

/**
 * The start of the earliest deny of the person that is recorded but not yet in force and covers
 * this grantee, purpose and study; null when none. A grant resting on a permit may not outlive it.
 */
export async function pendingDenyStart(tx: Pick<Database, 'consent'>, records: readonly string[], share: { purpose: ConsentPurpose; studyInstanceUid: string; covers: (consent: RecipientColumns) => boolean }, now: Date): Promise<Date | null> {
  const denies = await tx.consent.findMany({
    where: { patientRef: { in: [...records] }, decision: 'DENY', status: 'active', revokedAt: null, validFrom: { gt: now }, OR: [{ validUntil: null }, { validUntil: { gt: now } }] },
    select: { validFrom: true, purposes: true, dataScope: true, studyUids: true, recipientKind: true, recipientFacilityId: true, recipientServiceId: true, recipientUserId: true },
    orderBy: { validFrom: 'asc' },
  });
  const covering = denies.find((deny) => consentCovers(deny, share));
  return covering?.validFrom ?? null;
}

/** True when the grantee already belongs to the study's facility (its members read it anyway). */
async function insideFacility(tx: ShareDatabase, grantee: ShareGrantee, facilityId: string): Promise<boolean> {
  if ('guestName' in grantee) return false;
  if ('facilityId' in grantee) return grantee.facilityId === facilityId;
  if ('serviceId' in grantee) return (await tx.service.findUnique({ where: { id: grantee.serviceId }, select: { facilityId: true } }))?.facilityId === facilityId;
  return (await tx.membership.findFirst({ where: { userId: grantee.userId, facilityId, user: { disabled: false } }, select: { id: true } })) !== null;
}

/** The patient record and every record linked to the same person (a consent covers the person). */
export async function personRecordRefs(tx: Pick<Database, 'patientLink'>, patientRef: string): Promise<string[]> {
  const link = await tx.patientLink.findFirst({ where: { patientRef, unlinkedAt: null }, select: { personRef: true } });
  if (!link) return [patientRef];
  const links = await tx.patientLink.findMany({ where: { personRef: link.personRef, unlinkedAt: null }, select: { patientRef: true } });
  return [...new Set([patientRef, ...links.map((row) => row.patientRef)])];
}

/** Whether a consent speaks of this share: its purpose, its study (all imaging or named), its grantee. */
export function consentCovers(
  consent: RecipientColumns & { purposes: string; dataScope: string; studyUids: string },
  share: { purpose: ConsentPurpose; studyInstanceUid: string; covers: (consent: RecipientColumns) => boolean },
): boolean {
  return parseList(consent.purposes).includes(share.purpose) && (consent.dataScope === 'ALL' || parseList(consent.studyUids).includes(share.studyInstanceUid)) && share.covers(consent);
}

type RecipientColumns = { recipientKind: string; recipientFacilityId: string | null; recipientServiceId: string | null; recipientUserId: string | null };

/**
 * Who a consent's recipient covers: a facility covers its services and enabled members, a
 * service its members, "the region" every facility of this node (not a guest, who has none).
 */
export async function recipientMatcher(tx: ShareDatabase, grantee: ShareGrantee): Promise<(consent: RecipientColumns) => boolean> {
  if ('guestName' in grantee) return () => false;
  if ('facilityId' in grantee) return (c) => c.recipientKind === 'REGION' || (c.recipientKind === 'FACILITY' && c.recipientFacilityId === grantee.facilityId);
  if ('serviceId' in grantee) {
    const service = await tx.service.findUnique({ where: { id: grantee.serviceId }, select: { facilityId: true } });
    return (c) => c.recipientKind === 'REGION' || (c.recipientKind === 'FACILITY' && c.recipientFacilityId === service?.facilityId) || (c.recipientKind === 'SERVICE' && c.recipientServiceId === grantee.serviceId);
  }
  const [memberships, services] = await Promise.all([
    tx.membership.findMany({ where: { userId: grantee.userId, user: { disabled: false }, facility: { disabledAt: null } }, select: { facilityId: true } }),
    tx.serviceMember.findMany({ where: { userId: grantee.userId }, select: { serviceId: true } }),
  ]);
  const facilityIds = new Set(memberships.map((row) => row.facilityId));
  const serviceIds = new Set(services.map((row) => row.serviceId));
  return (c) =>
    (c.recipientKind === 'REGION' && facilityIds.size > 0) ||
    (c.recipientKind === 'FACILITY' && c.recipientFacilityId !== null && facilityIds.has(c.recipientFacilityId)) ||
    (c.recipientKind === 'SERVICE' && c.recipientServiceId !== null && serviceIds.has(c.recipientServiceId)) ||
    (c.recipientKind === 'USER' && c.recipientUserId === grantee.userId);
}

type RefusedStudy = { patientRef: string; studyInstanceUid: string; facilityId: string; patient: { patientId: string } };

async function refusal(tx: ShareDatabase, request: ShareRequest, study: RefusedStudy, purpose: ConsentPurpose, denied: boolean, why?: string): Promise<ConsentRequiredError> {
  const recipient = await granteeWords(tx, request.grantee);
  const what = `${CONSENT_PURPOSE_WORDS[purpose]} by ${recipient}`;
  const message = why
    ? `${why}: sharing this patient's images for ${what} needs the patient's consent or a new emergency override.`
    : denied
      ? `The patient has refused sharing their images for ${what}. Nothing was shared. Only an emergency override can open access now.`
      : `Sharing this patient's images for ${what} needs the patient's consent. Nothing was shared: record the consent now, or use the emergency override.`;
  return new ConsentRequiredError({ patientRef: study.patientRef, purpose, recipient, denied }, message, { facilityId: study.facilityId, patientId: study.patient.patientId, studyUid: study.studyInstanceUid });
}

async function granteeWords(tx: ShareDatabase, grantee: ShareGrantee): Promise<string> {
  if ('guestName' in grantee) return `${grantee.guestName} (a guest)`;
  if ('facilityId' in grantee) return (await tx.facility.findUnique({ where: { id: grantee.facilityId }, select: { name: true } }))?.name ?? 'another facility';
  if ('serviceId' in grantee) {
    const service = await tx.service.findUnique({ where: { id: grantee.serviceId }, select: { name: true, facility: { select: { name: true } } } });
    return service ? `${service.name}, ${service.facility.name}` : 'another service';
  }
  const user = await tx.user.findUnique({ where: { id: grantee.userId }, select: { name: true, guest: true } });
  return user ? (user.guest ? `${user.name} (a guest)` : user.name) : 'another person';
}
