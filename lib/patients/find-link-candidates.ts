import { z } from 'zod';
import { normalizeForSearch } from '../../pacs-core/dicom/normalize';
import type { AdminActor, AdminContext } from '../admin/context';
import { parseInput } from '../admin/errors';
import { PolicyError } from '../policy/errors';
import { administeredFacilitiesFor } from '../policy/administered-facilities';
import { authorizePatientLinking } from '../policy/patient-linking';
import { activePersonOf } from './linked-records';

const ZCandidateQuery = z.object({
  patientId: z.string().min(1).max(64),
  q: z.string({ error: 'Type an MRN or a name.' }).trim().min(2, 'Type at least 2 characters of an MRN or a name.').max(64, 'At most 64 characters.'),
});

export interface LinkCandidate {
  id: string;
  patientId: string;
  name: string;
  sex: string;
  birthDate: string;
  facility: { id: string; code: string; name: string };
  /** Already linked to another person: linking it needs an unlink first */
  linkedElsewhere: boolean;
}

const MAX_CANDIDATES = 20;

/**
 * Records an administrator could link to `patientId`: in the facilities they
 * administer (the record's own included: two records of one facility may be
 * one person too), matching the MRN or the name, not already in this
 * record's person. NOT_FOUND unless they administer the record's facility.
 */
export async function findLinkCandidates(context: AdminContext, actor: AdminActor, input: unknown): Promise<LinkCandidate[]> {
  const { patientId, q } = parseInput(ZCandidateQuery, input);
  const { db } = context;
  const record = await db.patient.findUnique({ where: { id: patientId }, select: { facilityId: true } });
  if (!record) throw new PolicyError('NOT_FOUND', 'patient not found');
  await authorizePatientLinking(db, actor.userId, [record.facilityId]);
  const facilityIds = (await administeredFacilitiesFor(db, actor.userId)).map((facility) => facility.id);
  const personRef = await activePersonOf(db, patientId);
  const name = normalizeForSearch(q);
  const rows = await db.patient.findMany({
    where: {
      facilityId: { in: facilityIds },
      id: { not: patientId },
      OR: [{ patientId: { contains: q } }, { patientId: { contains: q.toUpperCase() } }, ...(name ? [{ nameSearch: { contains: name } }] : [])],
    },
    orderBy: [{ nameSearch: 'asc' }, { id: 'asc' }],
    take: MAX_CANDIDATES * 2,
    select: {
      id: true,
      patientId: true,
      name: true,
      sex: true,
      birthDate: true,
      facility: { select: { id: true, code: true, name: true } },
      links: { where: { unlinkedAt: null }, select: { personRef: true } },
    },
  });
  return rows
    .filter((row) => !personRef || row.links[0]?.personRef !== personRef)
    .slice(0, MAX_CANDIDATES)
    .map(({ links, ...row }) => ({ ...row, linkedElsewhere: links.length > 0 }));
}
