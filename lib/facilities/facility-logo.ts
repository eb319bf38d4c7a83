// A facility's logo, for report letterheads and the facility pages. Kept in
// the database (FacilityLogo.bytes), not under DATA_DIR: it is small (at most
// 512 KiB), it is backed up and restored with the facility it belongs to, and
// both databases hold bytes natively. The type is read from the bytes, never
// from what the browser claims.
import type { Database } from '../../prisma/database';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError } from '../admin/errors';
import { recordAudit } from '../audit/record-audit';
import { PolicyError } from '../policy/errors';
import { authorizeFacilityMember } from '../policy/facility-member';
import { authorizeNodeAdmin } from '../policy/node-admin';
import { administrationAudit } from '../admin/administration-audit';

export const MAX_LOGO_BYTES = 512 * 1024;

export interface FacilityLogoImage {
  mimeType: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
  updatedAt: Date;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** image/png or image/jpeg by the file's signature; null for anything else. */
export function logoImageType(bytes: Uint8Array): FacilityLogoImage['mimeType'] | null {
  if (PNG_SIGNATURE.every((byte, index) => bytes[index] === byte)) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

/** A node administrator sets (replaces) a facility's logo: PNG or JPEG, at most 512 KiB. */
export async function setFacilityLogo(context: AdminContext, actor: AdminActor, facilityId: string, bytes: Uint8Array): Promise<void> {
  const { db, logger } = context;
  await authorizeNodeAdmin(db, actor.userId);
  if (!(await db.facility.findUnique({ where: { id: facilityId }, select: { id: true } }))) throw new PolicyError('NOT_FOUND', 'facility not found');
  if (bytes.length === 0) throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { logo: 'Choose a PNG or JPEG image' });
  if (bytes.length > MAX_LOGO_BYTES) throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { logo: 'The logo must be at most 512 KiB' });
  const mimeType = logoImageType(bytes);
  if (!mimeType) throw new AdminError('INVALID_INPUT', 'Some fields need attention.', { logo: 'The logo must be a PNG or JPEG image' });
  await db.$transaction(async (tx) => {
    const data = { mimeType, bytes: Uint8Array.from(bytes) };
    await tx.facilityLogo.upsert({ where: { facilityId }, create: { facilityId, ...data }, update: data });
    await recordAudit(tx, administrationAudit(actor, { action: 'admin.facility.logo', facilityId, resource: `facility:${facilityId}`, details: { mimeType, bytes: bytes.length } }));
  });
}

/** The logo for a letterhead, or null when the facility has none. No access check: callers decide who sees the letter. */
export async function facilityLogo(db: Database, facilityId: string): Promise<FacilityLogoImage | null> {
  const logo = await db.facilityLogo.findUnique({ where: { facilityId } });
  return logo ? { mimeType: logo.mimeType as FacilityLogoImage['mimeType'], bytes: logo.bytes, updatedAt: logo.updatedAt } : null;
}

/** The logo as its members (and node administrators) see it; NOT_FOUND for everyone else and when there is none. */
export async function readFacilityLogo(context: Pick<AdminContext, 'db'>, userId: string, facilityId: string): Promise<FacilityLogoImage> {
  const { db } = context;
  await authorizeFacilityMember(db, userId, facilityId);
  const logo = await facilityLogo(db, facilityId);
  if (!logo) throw new PolicyError('NOT_FOUND', 'no logo');
  return logo;
}
