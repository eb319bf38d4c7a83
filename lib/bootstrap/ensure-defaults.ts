// First-run set-up, run at every start and idempotent: a fresh install gets a
// demo facility and an administrator to sign in with; later starts change
// nothing (an existing password is never reset from the environment).
import type { Database } from '../../prisma/database';
import type { Logger } from '../../pacs-core/logger';
import { writeAuditEvent } from '../audit/write-audit-event';
import { generatePassword, hashPassword } from '../auth/password';
import type { Config } from '../config/config';

export const DEMO_FACILITY = { name: 'Demo Hospital', code: 'DEMO' } as const;

export interface DefaultsResult {
  adminEmail: string;
  /** Only when the administrator was created now without ADMIN_PASSWORD: print it once. */
  generatedPassword?: string;
  /** The demo facility (or, once it is gone, the oldest facility) */
  facilityId: string;
}

/**
 * The node's home facility (the demo one, or once it is gone the oldest): the
 * owner of the peers configured in DICOM_PEERS. null before the first run.
 */
export async function findHomeFacilityId(db: Database): Promise<string | null> {
  const demo = await db.facility.findUnique({ where: { code: DEMO_FACILITY.code }, select: { id: true } });
  if (demo) return demo.id;
  // An installation that has renamed or replaced the demo facility keeps its own.
  const oldest = await db.facility.findFirst({ where: { nodePeerId: null }, orderBy: { createdAt: 'asc' }, select: { id: true } });
  return oldest?.id ?? null;
}

async function ensureFacility(db: Database, logger: Logger): Promise<string> {
  const home = await findHomeFacilityId(db);
  if (home) return home;
  const created = await db.facility.create({ data: DEMO_FACILITY, select: { id: true } });
  logger.info('created the demo facility', { code: DEMO_FACILITY.code });
  return created.id;
}

/**
 * A node that has no enabled node administrator (one that ran before node
 * administrators existed) gets its ADMIN_EMAIL account as one, at start.
 */
async function ensureNodeAdmin(db: Database, adminUserId: string, facilityId: string, logger: Logger): Promise<void> {
  if (await db.user.findFirst({ where: { nodeAdmin: true, disabled: false }, select: { id: true } })) return;
  await db.user.update({ where: { id: adminUserId }, data: { nodeAdmin: true } });
  await writeAuditEvent(db, { actor: 'system', action: 'bootstrap.node_admin', outcome: 'SUCCESS', actorUserId: null, facilityId, details: { userId: adminUserId } }, logger);
  logger.info('made the ADMIN_EMAIL account the node administrator (the node had none)');
}

/**
 * Ensures the facility and the ADMIN_EMAIL administrator exist. Creating the
 * administrator whenever that email is unknown is also the recovery path for
 * a lost admin password: whoever controls the server's environment sets a new
 * ADMIN_EMAIL and restarts.
 */
export async function ensureDefaults(db: Database, config: Config, logger: Logger): Promise<DefaultsResult> {
  const facilityId = await ensureFacility(db, logger);
  const adminEmail = config.adminEmail;
  const existing = await db.user.findUnique({ where: { email: adminEmail }, select: { id: true } });
  if (existing) {
    await ensureNodeAdmin(db, existing.id, facilityId, logger);
    return { adminEmail, facilityId };
  }
  const generatedPassword = config.adminPassword ? undefined : generatePassword();
  const passwordHash = await hashPassword(config.adminPassword ?? generatedPassword!);
  const admin = await db.$transaction(async (tx) => {
    // The node's first administrator manages its facilities too (lib/policy/node-admin.ts);
    // so does one created later through ADMIN_EMAIL: the recovery path of a lost password.
    const user = await tx.user.create({ data: { email: adminEmail, name: 'Administrator', passwordHash, nodeAdmin: true } });
    await tx.membership.create({ data: { userId: user.id, facilityId, role: 'ADMIN' } });
    return user;
  });
  await writeAuditEvent(
    db,
    { actor: 'system', action: 'bootstrap.create_admin', outcome: 'SUCCESS', actorUserId: null, facilityId, details: { userId: admin.id, adminEmail } },
    logger,
  );
  logger.info('created the administrator', { email: adminEmail, passwordFrom: generatedPassword ? 'generated' : 'ADMIN_PASSWORD' });
  return generatedPassword ? { adminEmail, generatedPassword, facilityId } : { adminEmail, facilityId };
}
