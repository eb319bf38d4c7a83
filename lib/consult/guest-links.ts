// One-time guest links (issue 5): the host of an open teleconsultation invites
// an expert who has no Telepacs account. The link holds a 256-bit random
// token; the row keeps only its SHA-256 (like sessions and account links), so
// the URL is shown once, to the host, who passes it on (we send no mail).
//
// Opening the link (GET) only shows what it is for: link previews and mail
// scanners fetch URLs, and must not burn it. Joining (POST) claims it with
// one conditional update — unused, not withdrawn, not expired, consultation
// still open — in the transaction that creates the guest account (guest=true,
// no membership, no usable password) and its GUEST participation; then a
// session that ends when the link does. The guest reads the consultation's
// study and nothing else, through a read grant that ends with the link
// (lib/grants); their session ends with the consultation (lib/auth/sessions.ts).
// Every step is audited.
import { recordAudit } from '../audit/record-audit';
import { writeAuditEvent } from '../audit/write-audit-event';
import { AdminError, parseInput } from '../admin/errors';
import { newGuestEmail, UNUSABLE_PASSWORD_HASH } from '../auth/guest-accounts';
import { createSession } from '../auth/sessions';
import { randomSecret, sha256Hex } from '../auth/secret-tokens';
import { DomainError } from '../errors';
import { grantConsultationReads, revokeConsultationReads } from '../grants/consultation-grants';
import { PolicyError } from '../policy/errors';
import { isConsentRequiredError, shareBasisFor } from '../policy/share-basis';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import type { Actor } from './consultations';
import { ZCreateGuestLinkRequest, type TCreateGuestLinkRequest } from './guest-links.types';

const GUEST_LINK_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Where a teleconsultation is held in the portal: a guest's only page. */
export function consultationPagePath(consultationId: string): string {
  return `/consultations/${consultationId}`;
}

export function guestLinkPath(token: string): string {
  return `/guest/${token}`;
}

interface Context {
  db: Database;
  logger: Logger;
}

interface ClientInfo {
  ip: string;
  userAgent?: string;
}

interface HostedConsultation {
  id: string;
  facilityId: string;
  studyInstanceUid: string;
  endedAt: Date | null;
  overrideId: string | null;
}

/**
 * The consultation, when the caller is its HOST (and not disabled). Anyone
 * else — a participant, a guest, an outsider — gets NOT_FOUND, as for an id
 * that does not exist: guest links are the host's business.
 */
async function consultationHostedBy(db: Database, userId: string, consultationId: string): Promise<HostedConsultation> {
  const host = await db.consultationParticipant.findFirst({
    where: { consultationId, userId, role: 'HOST', user: { disabled: false, guest: false } },
    select: { consultation: { select: { id: true, facilityId: true, studyInstanceUid: true, endedAt: true, overrideId: true } } },
  });
  if (!host) throw new PolicyError('NOT_FOUND', 'consultation not found');
  return host.consultation;
}

function refuseIfEnded(consultation: HostedConsultation): void {
  if (consultation.endedAt) throw new AdminError('CONFLICT', 'This teleconsultation has ended: its guest links no longer work.');
}

export interface CreatedGuestLink {
  id: string;
  /** Site-relative `/guest/<token>`: shown once to the host, not recoverable */
  path: string;
  expiresAt: Date;
  /** A link for a paired node's colleague: the token, which their node's join link carries (lib/federation/consult) */
  token?: string;
}

/** A new guest link; only the host of an open consultation makes one. Audited (consult.guest_link.create). */
export async function createGuestLink(
  { db }: { db: Database },
  actor: Actor,
  consultationId: string,
  input: TCreateGuestLinkRequest | unknown,
  now = new Date(),
): Promise<CreatedGuestLink> {
  const consultation = await consultationHostedBy(db, actor.userId, consultationId);
  refuseIfEnded(consultation);
  const { guestName: typedName, guestEmail, hours, facilityId: nodeFacilityId } = parseInput(ZCreateGuestLinkRequest, input);
  const nodeFacility = nodeFacilityId ? await db.facility.findFirst({ where: { id: nodeFacilityId, nodePeerId: { not: null }, disabledAt: null }, select: { id: true, name: true } }) : null;
  if (nodeFacilityId && !nodeFacility) throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { facilityId: 'Choose a facility of a paired node.' });
  const guestName = typedName || `A colleague at ${nodeFacility?.name ?? 'another node'}`;
  const token = randomSecret(32);
  const expiresAt = new Date(now.getTime() + hours * 3600_000);
  const link = await db.$transaction(async (tx) => {
    // A guest is outside every facility: the patient's consent cannot name them, so the link needs
    // the facility's rule off for teleconsultations, or the consultation's emergency override
    const study = await tx.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid } }, select: { id: true } });
    if (study) {
      // A colleague of a paired node's facility is of that facility: a consent may name it
      const grantee = nodeFacility ? { facilityId: nodeFacility.id } : { guestName };
      await shareBasisFor(tx, { study: { id: study.id, facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid }, grantee, purpose: 'TELECONSULTATION', overrideId: consultation.overrideId }, now).catch((error: unknown) => {
        if (isConsentRequiredError(error)) error.attemptedBy = actor.userId;
        throw error;
      });
    }
    const created = await tx.consultationGuestLink.create({
      data: { consultationId, tokenHash: sha256Hex(token), guestName, guestEmail, createdById: actor.userId, createdAt: now, expiresAt, nodeFacilityId: nodeFacility?.id ?? null },
      select: { id: true },
    });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.guest_link.create',
      outcome: 'SUCCESS',
      facilityId: consultation.facilityId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultationId}/guest-links/${created.id}`,
      details: { guestName, guestEmail, expiresAt: expiresAt.toISOString(), ...(nodeFacility ? { facility: nodeFacility.name } : {}) },
    });
    return created;
  });
  return { id: link.id, path: guestLinkPath(token), expiresAt, ...(nodeFacility ? { token } : {}) };
}

/**
 * Withdraws a guest link (host only). Unused, it stops working; already used,
 * the guest is also let go at once: their account is disabled and its
 * sessions end, so the read grant and the socket handshake stop too.
 * Withdrawing a withdrawn link changes nothing. Audited (consult.guest_link.revoke).
 * Returns the guest let go, whose open sockets the caller disconnects.
 */
export async function revokeGuestLink({ db }: { db: Database }, actor: Actor, consultationId: string, linkId: string, now = new Date()): Promise<{ letGoUserId: string | null }> {
  const consultation = await consultationHostedBy(db, actor.userId, consultationId);
  return db.$transaction(async (tx) => {
    const link = await tx.consultationGuestLink.findFirst({
      where: { id: linkId, consultationId },
      select: { id: true, guestName: true, usedAt: true, revokedAt: true, guestUserId: true },
    });
    if (!link) throw new PolicyError('NOT_FOUND', 'guest link not found');
    const { count } = await tx.consultationGuestLink.updateMany({ where: { id: link.id, revokedAt: null }, data: { revokedAt: now } });
    if (count === 0) return { letGoUserId: null };
    let sessionsEnded = 0;
    if (link.guestUserId) {
      await revokeConsultationReads(tx, consultationId, { revokedById: actor.userId, reason: 'guest link withdrawn' }, link.guestUserId, now);
      await tx.user.updateMany({ where: { id: link.guestUserId, guest: true }, data: { disabled: true } });
      sessionsEnded = (await tx.session.deleteMany({ where: { userId: link.guestUserId } })).count;
    }
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consult.guest_link.revoke',
      outcome: 'SUCCESS',
      facilityId: consultation.facilityId,
      studyUid: consultation.studyInstanceUid,
      sourceIp: actor.ip,
      resource: `consultations/${consultationId}/guest-links/${link.id}`,
      details: { guestName: link.guestName, wasUsed: Boolean(link.usedAt), guestUserId: link.guestUserId, sessionsEnded },
    });
    return { letGoUserId: link.guestUserId };
  });
}

export type GuestLinkState = 'OPEN' | 'USED' | 'EXPIRED' | 'REVOKED';

export interface GuestLinkSummary {
  id: string;
  guestName: string;
  guestEmail: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  /** The guest's account once the link was used (their participant row) */
  guestUserId: string | null;
  state: GuestLinkState;
}

function stateOf(link: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date }, now: Date): GuestLinkState {
  if (link.revokedAt) return 'REVOKED';
  if (link.usedAt) return 'USED';
  return link.expiresAt <= now ? 'EXPIRED' : 'OPEN';
}

/** The consultation's guest links for its host, newest first; never a token (only hashes are stored). */
export async function listGuestLinks({ db }: { db: Database }, userId: string, consultationId: string, now = new Date()): Promise<GuestLinkSummary[]> {
  await consultationHostedBy(db, userId, consultationId);
  const links = await db.consultationGuestLink.findMany({
    where: { consultationId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: { id: true, guestName: true, guestEmail: true, createdAt: true, expiresAt: true, usedAt: true, revokedAt: true, guestUserId: true },
  });
  return links.map((link) => ({ ...link, state: stateOf(link, now) }));
}

// --- Opening and using a link (the guest's side: no session, the link is the credential) ---

/** Why a link cannot be used. */
export type GuestLinkRefusal = 'INVALID' | 'USED' | 'EXPIRED' | 'REVOKED' | 'ENDED';

const REFUSAL_MESSAGES: Record<GuestLinkRefusal, string> = {
  INVALID: 'This guest link is not valid. Check that it was copied completely.',
  USED: 'This guest link has already been used. Ask the person who invited you for a new one.',
  EXPIRED: 'This guest link has expired. Ask the person who invited you for a new one.',
  REVOKED: 'This guest link was withdrawn by the person who sent it.',
  ENDED: 'This teleconsultation has ended.',
};

/** A guest link that cannot be used: LINK_INVALID (404) or LINK_USED/EXPIRED/REVOKED/ENDED (410), lib/errors. */
export class GuestLinkError extends DomainError {
  override readonly name = 'GuestLinkError';
  constructor(readonly reason: GuestLinkRefusal) {
    super(`LINK_${reason}`, REFUSAL_MESSAGES[reason]);
  }
}

export function isGuestLinkError(error: unknown): error is GuestLinkError {
  return error instanceof GuestLinkError;
}

export interface GuestInvitation {
  consultationTitle: string;
  /** Who invites: the host's name and facility */
  hostName: string;
  facilityName: string;
  guestName: string;
  expiresAt: Date;
}

interface UsableGuestLink extends GuestInvitation {
  id: string;
  /** The consultation's emergency override, the guest's grant's basis when consent cannot be */
  overrideId: string | null;
  /** The host who made the link: the grantor of the guest's read grant */
  createdById: string;
  consultationId: string;
  facilityId: string;
  studyInstanceUid: string;
  /** A link for a paired node's colleague (their mirrored facility): used only with that node's signature */
  nodeFacilityId: string | null;
}

/** Who a paired node says is joining (lib/federation/consult/enter-from-node.ts) */
export interface AssertedGuest {
  /** "Dr X (Facility F at Node A)" */
  name: string;
  /** The mirrored facility the node says they act for */
  facilityId: string;
}

type GuestLinkLookup = { usable: true; link: UsableGuestLink } | { usable: false; reason: GuestLinkRefusal };

async function lookUpGuestLink(db: Database, token: string, now: Date): Promise<GuestLinkLookup> {
  if (!GUEST_LINK_TOKEN_PATTERN.test(token)) return { usable: false, reason: 'INVALID' };
  const row = await db.consultationGuestLink.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: {
      id: true,
      guestName: true,
      createdById: true,
      expiresAt: true,
      usedAt: true,
      revokedAt: true,
      nodeFacilityId: true,
      consultation: {
        select: {
          id: true,
          title: true,
          facilityId: true,
          studyInstanceUid: true,
          endedAt: true,
          overrideId: true,
          createdBy: { select: { name: true } },
        },
      },
    },
  });
  if (!row) return { usable: false, reason: 'INVALID' };
  if (row.revokedAt) return { usable: false, reason: 'REVOKED' };
  if (row.usedAt) return { usable: false, reason: 'USED' };
  if (row.consultation.endedAt) return { usable: false, reason: 'ENDED' };
  if (row.expiresAt <= now) return { usable: false, reason: 'EXPIRED' };
  const facility = await db.facility.findUnique({ where: { id: row.consultation.facilityId }, select: { name: true } });
  return {
    usable: true,
    link: {
      id: row.id,
      createdById: row.createdById,
      overrideId: row.consultation.overrideId,
      consultationId: row.consultation.id,
      facilityId: row.consultation.facilityId,
      studyInstanceUid: row.consultation.studyInstanceUid,
      consultationTitle: row.consultation.title,
      hostName: row.consultation.createdBy.name,
      facilityName: facility?.name ?? '',
      guestName: row.guestName,
      expiresAt: row.expiresAt,
      nodeFacilityId: row.nodeFacilityId,
    },
  };
}

/** Someone holds a stale or forged link: worth a trace, with the hash of the token (never the token). */
async function auditRefusal(context: Context, token: string, reason: GuestLinkRefusal, step: 'open' | 'join', client: ClientInfo): Promise<void> {
  const link =
    reason === 'INVALID'
      ? null
      : await context.db.consultationGuestLink.findUnique({
          where: { tokenHash: sha256Hex(token) },
          select: { id: true, consultation: { select: { id: true, facilityId: true, studyInstanceUid: true } } },
        });
  await writeAuditEvent(
    context.db,
    {
      actor: 'anonymous',
      action: 'consult.guest_link.use',
      outcome: 'DENIED',
      facilityId: link?.consultation.facilityId ?? null,
      studyUid: link?.consultation.studyInstanceUid ?? null,
      sourceIp: client.ip,
      resource: link ? `consultations/${link.consultation.id}/guest-links/${link.id}` : 'guest-link',
      details: { reason, step },
    },
    context.logger,
  );
}

/**
 * What the guest link page shows (GET: nothing is consumed): the invitation,
 * or the GuestLinkError saying why it cannot be used (audited).
 */
export async function openGuestLink(context: Context, token: string, client: ClientInfo, now = new Date()): Promise<GuestInvitation> {
  const found = await lookUpGuestLink(context.db, token, now);
  if (!found.usable) {
    await auditRefusal(context, token, found.reason, 'open', client);
    throw new GuestLinkError(found.reason);
  }
  const { consultationTitle, hostName, facilityName, guestName, expiresAt } = found.link;
  return { consultationTitle, hostName, facilityName, guestName, expiresAt };
}

export interface JoinedAsGuest {
  consultationId: string;
  /** Where the guest goes next: the consultation's page */
  path: string;
  user: { id: string; email: string; name: string };
  sessionToken: string;
  expiresAt: Date;
}

/**
 * Uses the link (POST "Join the teleconsultation"): exactly once, even with
 * two tabs or two people racing. Creates the guest account, its GUEST
 * participation and a session ending at the link's expiry. Audited
 * (consult.guest_link.use, SUCCESS in the claiming transaction, DENIED otherwise).
 */
export async function joinWithGuestLink(context: Context, token: string, client: ClientInfo, now = new Date(), asserted?: AssertedGuest): Promise<JoinedAsGuest> {
  const { db } = context;
  const found = await lookUpGuestLink(db, token, now);
  // A link for a paired node's colleague works only with that node's signature for that facility
  const refusal = !found.usable ? found.reason : (found.link.nodeFacilityId ?? null) !== (asserted?.facilityId ?? null) ? 'INVALID' : null;
  if (refusal || !found.usable) {
    await auditRefusal(context, token, refusal ?? 'INVALID', 'join', client);
    throw new GuestLinkError(refusal ?? 'INVALID');
  }
  const link = found.link;
  const study = await db.study.findUnique({
    where: { facilityId_studyInstanceUid: { facilityId: link.facilityId, studyInstanceUid: link.studyInstanceUid } },
    select: { id: true, patient: { select: { patientId: true } } },
  });
  let guest: { id: string; email: string; name: string };
  try {
    guest = await db.$transaction(async (tx) => {
      const created = await tx.user.create({
        data: { email: newGuestEmail(), name: asserted?.name ?? link.guestName, passwordHash: UNUSABLE_PASSWORD_HASH, guest: true },
        select: { id: true, email: true, name: true },
      });
      // A colleague of a paired node belongs to their (mirrored) facility: a consent naming it covers them
      if (asserted) await tx.membership.create({ data: { userId: created.id, facilityId: asserted.facilityId, role: 'REFERRING' } });
      // The claim: one conditional update. Whoever loses a race rolls back the account made above.
      const claimed = await tx.consultationGuestLink.updateMany({
        where: { id: link.id, usedAt: null, revokedAt: null, expiresAt: { gt: now }, consultation: { endedAt: null } },
        data: { usedAt: now, guestUserId: created.id },
      });
      if (claimed.count !== 1) throw new GuestLinkError('USED');
      await tx.consultationParticipant.create({ data: { consultationId: link.consultationId, userId: created.id, role: 'GUEST', invitedAt: now } });
      // The guest reads the study through a grant that ends with the link (or the consultation)
      if (study) {
        await grantConsultationReads(
          tx,
          { consultationId: link.consultationId, studyRef: study.id, facilityId: link.facilityId, studyInstanceUid: link.studyInstanceUid, overrideId: link.overrideId },
          [{ userId: created.id, validUntil: link.expiresAt }],
          link.createdById,
          now,
        );
      }
      await recordAudit(tx, {
        actor: created.email,
        actorUserId: created.id,
        action: 'consult.guest_link.use',
        outcome: 'SUCCESS',
        facilityId: link.facilityId,
        patientId: study?.patient.patientId ?? null,
        studyUid: link.studyInstanceUid,
        sourceIp: client.ip,
        resource: `consultations/${link.consultationId}/guest-links/${link.id}`,
        details: { guestName: asserted?.name ?? link.guestName, expiresAt: link.expiresAt.toISOString() },
      });
      return created;
    });
  } catch (error) {
    if (isGuestLinkError(error)) await auditRefusal(context, token, error.reason, 'join', client);
    throw error;
  }
  const session = await createSession(db, { userId: guest.id, expiresAt: link.expiresAt, ip: client.ip, userAgent: client.userAgent, now });
  return {
    consultationId: link.consultationId,
    path: consultationPagePath(link.consultationId),
    user: guest,
    sessionToken: session.token,
    expiresAt: session.expiresAt,
  };
}
