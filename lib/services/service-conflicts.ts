import type { Database } from '../../prisma/database';
import { AdminError } from '../admin/errors';

/** CONFLICT, per field, when another service of the facility has this name or code. */
export async function assertServiceNameAndCodeFree(
  db: Pick<Database, 'service'>,
  facilityId: string,
  fields: { name?: string; code?: string | null },
  exceptServiceId?: string,
): Promise<void> {
  const candidates = [...(fields.name !== undefined ? [{ name: fields.name }] : []), ...(fields.code ? [{ code: fields.code }] : [])];
  if (candidates.length === 0) return;
  const others = await db.service.findMany({
    where: { facilityId, id: exceptServiceId ? { not: exceptServiceId } : undefined, OR: candidates },
    select: { name: true, code: true },
  });
  const taken: Record<string, string> = {};
  if (fields.name !== undefined && others.some((other) => other.name === fields.name)) taken.name = 'Another service of this facility has this name.';
  if (fields.code && others.some((other) => other.code === fields.code)) taken.code = 'Another service of this facility has this code.';
  if (Object.keys(taken).length) throw new AdminError('CONFLICT', 'This name or code is taken.', taken);
}
