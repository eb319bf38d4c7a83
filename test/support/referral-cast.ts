// The people, services and studies of the second-opinion tests (issue 15):
// a district clinic whose referring doctor asks, a regional hospital with a
// Neuroradiology service (two experts), a Chest service (one expert), a
// colleague of the regional hospital outside both services, its
// administrator, and a third facility's expert. The patient has a CT (the
// case's study), an MR prior and an unrelated study of another patient; the
// Hill Clinic has a patient's MR. The case's patient and the Hill Clinic's agreed,
// at a visit a month ago, to share their images with the region's facilities
// (issue 16: a second opinion across facilities needs it), unless `consent: false`;
// the unrelated patient did not.
import type { Database } from '../../prisma/database';
import type { Principal } from '../../lib/policy/principal';
import { createFacility, createStudy, createUser } from '../../lib/policy/test-fixtures';
import { permitSharing } from './consent';

export type CastName = 'requester' | 'expertA' | 'expertB' | 'expertC' | 'bystander' | 'regionalAdmin' | 'stranger' | 'hillRequester';

export interface ReferralCast {
  facilities: { district: string; regional: string; hill: string };
  services: { neuro: string; chest: string };
  people: Record<CastName, Principal & { name: string }>;
  /** The patient's CT (primary) and MR prior, and another patient's study; Study ids and UIDs */
  studies: Record<'primary' | 'prior' | 'unrelated' | 'hill', { id: string; uid: string }>;
}

export async function createReferralCast(db: Database, options: { passwordHash?: string; consent?: boolean } = {}): Promise<ReferralCast> {
  const district = (await createFacility(db, 'District Clinic')).id;
  const regional = (await createFacility(db, 'Regional Hospital')).id;
  const hill = (await createFacility(db, 'Hill Clinic')).id;
  const roles: Record<CastName, { facilityId: string; role: 'EXPERT' | 'REFERRING' | 'ADMIN' }> = {
    requester: { facilityId: district, role: 'REFERRING' },
    expertA: { facilityId: regional, role: 'EXPERT' },
    expertB: { facilityId: regional, role: 'EXPERT' },
    expertC: { facilityId: regional, role: 'EXPERT' },
    bystander: { facilityId: regional, role: 'EXPERT' },
    regionalAdmin: { facilityId: regional, role: 'ADMIN' },
    stranger: { facilityId: hill, role: 'EXPERT' },
    hillRequester: { facilityId: hill, role: 'REFERRING' },
  };
  const people = {} as ReferralCast['people'];
  let n = 0;
  for (const [key, membership] of Object.entries(roles) as [CastName, (typeof roles)[CastName]][]) {
    const name = `Dr ${key[0].toUpperCase()}${key.slice(1)}`;
    const user = await createUser(db, { email: `${key.toLowerCase()}@referrals.example`, name, passwordHash: options.passwordHash, memberships: [membership] });
    people[key] = { userId: user.id, email: user.email, ip: `10.15.0.${++n}`, name };
  }
  const neuro = await db.service.create({ data: { facilityId: regional, name: 'Neuroradiology' } });
  const chest = await db.service.create({ data: { facilityId: regional, name: 'Chest' } });
  for (const userId of [people.expertA.userId, people.expertB.userId]) await db.serviceMember.create({ data: { serviceId: neuro.id, userId } });
  await db.serviceMember.create({ data: { serviceId: chest.id, userId: people.expertC.userId } });

  const primary = await createStudy(db, district);
  await db.study.update({ where: { id: primary.id }, data: { modalities: '\\CT\\', studyDate: '20261201', description: 'CT head' } });
  await db.patient.update({ where: { id: primary.patientRef }, data: { name: 'Case^Carla' } });
  const prior = await db.study.create({ data: { facilityId: district, patientRef: primary.patientRef, studyInstanceUid: `${primary.studyInstanceUid}.9`, modalities: '\\MR\\', studyDate: '20250101' } });
  const unrelated = await createStudy(db, district);
  const hillStudy = await createStudy(db, hill);
  await db.study.update({ where: { id: hillStudy.id }, data: { modalities: '\\MR\\' } });
  if (options.consent !== false) {
    // A month ago: the tests also date cases in the past
    const validFrom = new Date(Date.now() - 30 * 24 * 3600_000);
    await permitSharing(db, primary.patientRef, { recordedById: people.requester.userId, validFrom });
    await permitSharing(db, hillStudy.patientRef, { recordedById: people.hillRequester.userId, validFrom });
  }
  return {
    facilities: { district, regional, hill },
    services: { neuro: neuro.id, chest: chest.id },
    people,
    studies: {
      primary: { id: primary.id, uid: primary.studyInstanceUid },
      prior: { id: prior.id, uid: prior.studyInstanceUid },
      unrelated: { id: unrelated.id, uid: unrelated.studyInstanceUid },
      hill: { id: hillStudy.id, uid: hillStudy.studyInstanceUid },
    },
  };
}
