// Server-side sessions: the cookie holds a random token, the Session row only
// its SHA-256, so a leaked database backup does not sign anyone in.
import type { Database } from '../../prisma/database';
import { openGuestConsultationId } from './guest-accounts';
import { randomSecret, sha256Hex } from './secret-tokens';

export const SESSION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** CODE: waits for the second factor's code; ENROL: must enrol one first (the facility requires it). */
export type PendingSecondFactor = 'CODE' | 'ENROL';

// Sliding expiry is written at most once a minute: a viewer loading a series
// makes hundreds of requests, and each one need not be a database write.
const LAST_SEEN_WRITE_INTERVAL_MS = 60_000;

// However active, a session ends after a week: a workstation left signed in
// on a ward must not stay signed in for ever.
export const ABSOLUTE_SESSION_LIFETIME_MS = 7 * 24 * 3600_000;

export interface SessionUser {
  sessionId: string;
  /** guest: came by a teleconsultation's guest link (guest-accounts.ts) */
  /** nodeAdmin: manages the node's facilities (lib/policy/node-admin.ts decides; this is for links) */
  user: { id: string; email: string; name: string; guest: boolean; nodeAdmin: boolean };
  /** For a guest: the open teleconsultation they belong to (their only page); null for everyone else */
  guestConsultationId: string | null;
  /** When the session ends unless used again (sliding), never past its absolute end */
  expiresAt: Date;
  /** The facility chosen in the header (unchecked here: lib/facilities/acting-facility.ts checks it) */
  actingFacilityId: string | null;
}

/**
 * Opens a session lasting ttlHours (sliding while used), or ending at a fixed
 * expiresAt: a guest's session ends when their link said, however active.
 */
export async function createSession(
  db: Database,
  options: { userId: string; ip?: string; userAgent?: string; now?: Date; pendingSecondFactor?: PendingSecondFactor } & ({ ttlHours: number } | { expiresAt: Date }),
): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
  const now = options.now ?? new Date();
  const token = randomSecret(32);
  const expiresAt = 'expiresAt' in options ? options.expiresAt : new Date(now.getTime() + options.ttlHours * 3600_000);
  const session = await db.session.create({
    data: {
      tokenHash: sha256Hex(token),
      userId: options.userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      ip: options.ip?.slice(0, 64),
      userAgent: options.userAgent?.slice(0, 512),
      pendingSecondFactor: options.pendingSecondFactor ?? null,
    },
  });
  return { token, sessionId: session.id, expiresAt };
}

/**
 * The signed-in user for a session token, or null when the token is unknown,
 * expired or its user disabled. Extends the session (sliding expiry), except
 * a guest's. A guest's session also ends, for good, once their teleconsultation
 * has ended: this is the one place every page, API, DICOMweb request and
 * socket handshake passes through.
 */
export async function resolveSession(
  db: Database,
  token: string | undefined,
  options: { ttlHours: number; now?: Date },
): Promise<SessionUser | null> {
  if (!token || !SESSION_TOKEN_PATTERN.test(token)) return null;
  const now = options.now ?? new Date();
  const session = await db.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    include: { user: { select: { id: true, email: true, name: true, disabled: true, guest: true, nodeAdmin: true } } },
  });
  // A sign-in half done (second factor pending) is no session anywhere: only
  // lib/auth/second-factor/pending-sign-in.ts reads those rows.
  if (!session || session.pendingSecondFactor) return null;
  const absoluteEnd = session.createdAt.getTime() + ABSOLUTE_SESSION_LIFETIME_MS;
  const guestConsultationId = session.user.guest ? await openGuestConsultationId(db, session.user.id) : null;
  if (session.expiresAt <= now || absoluteEnd <= now.getTime() || session.user.disabled || (session.user.guest && !guestConsultationId)) {
    await db.session.deleteMany({ where: { id: session.id } });
    return null;
  }
  let expiresAt = Math.min(session.expiresAt.getTime(), absoluteEnd);
  if (now.getTime() - session.lastSeenAt.getTime() >= LAST_SEEN_WRITE_INTERVAL_MS) {
    const slidExpiry = session.user.guest ? session.expiresAt.getTime() : Math.min(now.getTime() + options.ttlHours * 3600_000, absoluteEnd);
    await db.session.updateMany({ where: { id: session.id }, data: { lastSeenAt: now, expiresAt: new Date(slidExpiry) } });
    expiresAt = slidExpiry;
  }
  const { id, email, name, guest, nodeAdmin } = session.user;
  return { sessionId: session.id, user: { id, email, name, guest, nodeAdmin }, guestConsultationId, expiresAt: new Date(expiresAt), actingFacilityId: session.actingFacilityId };
}

/**
 * When a session (by id) ends, as far as the database says now: null when it
 * has ended (signed out, revoked, expired, its user disabled). For live
 * sockets, which hold no token (lib/realtime/session-lifetime.ts).
 */
export async function sessionEnd(db: Database, sessionId: string, now = new Date()): Promise<Date | null> {
  const session = await db.session.findUnique({ where: { id: sessionId }, select: { expiresAt: true, createdAt: true, user: { select: { disabled: true } } } });
  if (!session || session.user.disabled) return null;
  const end = Math.min(session.expiresAt.getTime(), session.createdAt.getTime() + ABSOLUTE_SESSION_LIFETIME_MS);
  return end > now.getTime() ? new Date(end) : null;
}

export async function deleteSession(db: Database, token: string | undefined): Promise<boolean> {
  if (!token || !SESSION_TOKEN_PATTERN.test(token)) return false;
  const { count } = await db.session.deleteMany({ where: { tokenHash: sha256Hex(token) } });
  return count > 0;
}

/** Housekeeping: removes expired rows (the server may call this periodically). */
export async function deleteExpiredSessions(db: Database, now = new Date()): Promise<number> {
  const { count } = await db.session.deleteMany({
    where: { OR: [{ expiresAt: { lte: now } }, { createdAt: { lte: new Date(now.getTime() - ABSOLUTE_SESSION_LIFETIME_MS) } }] },
  });
  return count;
}
