// At the holding node: the study copies of the person named by the region-wide identifier,
// in this node's own facilities (never a mirrored one), and for each whether it may be shared
// with the asking node's mirrored facility now (lib/policy/share-basis.ts shareOutlook, purpose
// FEDERATION: the basis a retrieval's transfer rests on, so what is listed can be retrieved).
import type { Database } from '../../../prisma/database';
import { shareOutlook, type ShareOutlook } from '../../policy/share-basis';

export interface PersonStudyCopy {
  id: string;
  facilityId: string;
  studyInstanceUid: string;
  studyDate: string;
  modalities: string;
  description: string;
  numberOfInstances: number;
  facility: { id: string; name: string };
  patient: { patientId: string };
  outlook: ShareOutlook;
}

/** Every copy, with its outlook for the grantee facility; [] when the person is unknown here. */
export async function personStudyCopies(db: Database, person: { issuer: string; regionPatientId: string }, granteeFacilityId: string, filter: { studyInstanceUid?: string } = {}): Promise<PersonStudyCopy[]> {
  const found = await db.person.findUnique({ where: { regionIssuer_regionPatientId: { regionIssuer: person.issuer, regionPatientId: person.regionPatientId } }, select: { id: true } });
  if (!found) return [];
  const links = await db.patientLink.findMany({ where: { personRef: found.id, unlinkedAt: null }, select: { patientRef: true } });
  const studies = await db.study.findMany({
    where: { patientRef: { in: links.map((link) => link.patientRef) }, facility: { nodePeerId: null, disabledAt: null }, ...(filter.studyInstanceUid ? { studyInstanceUid: filter.studyInstanceUid } : {}) },
    select: { id: true, facilityId: true, studyInstanceUid: true, studyDate: true, modalities: true, description: true, numberOfInstances: true, facility: { select: { id: true, name: true } }, patient: { select: { patientId: true } } },
    orderBy: [{ studyDate: 'desc' }, { studyInstanceUid: 'asc' }],
  });
  const copies: PersonStudyCopy[] = [];
  for (const study of studies) {
    const outlook = await shareOutlook(db, { study, grantee: { facilityId: granteeFacilityId }, purpose: 'FEDERATION' });
    copies.push({ ...study, outlook });
  }
  return copies;
}
