// Rows that policy and auth tests build on, written through the real client.
import type { Database } from '../../prisma/database';
import { grantConsultationReads } from '../grants/consultation-grants';
import type { Role } from './roles';

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

export async function createFacility(db: Database, name = 'Test Hospital') {
  return db.facility.create({ data: { name, code: unique('F') } });
}

export async function createUser(
  db: Database,
  options: { email?: string; name?: string; passwordHash?: string; disabled?: boolean; memberships?: { facilityId: string; role: Role }[] } = {},
) {
  const user = await db.user.create({
    data: {
      email: options.email ?? `${unique('user')}@hospital.example`,
      name: options.name ?? 'Test User',
      // Not a valid argon2 hash on purpose: tests that sign in pass a real one.
      passwordHash: options.passwordHash ?? 'not-a-hash',
      disabled: options.disabled ?? false,
    },
  });
  for (const membership of options.memberships ?? []) {
    await db.membership.create({ data: { userId: user.id, ...membership } });
  }
  return user;
}

export async function createStudy(db: Database, facilityId: string, studyInstanceUid = `1.2.826.0.1.${Date.now()}.${++counter}`) {
  const patient = await db.patient.create({ data: { facilityId, patientId: unique('PID') } });
  return db.study.create({ data: { facilityId, patientRef: patient.id, studyInstanceUid } });
}

/** A teleconsultation on a study, with its participants (the first is usually the HOST). */
export async function createConsultation(
  db: Database,
  options: { facilityId: string; studyInstanceUid: string; participants: { userId: string; role: 'HOST' | 'PARTICIPANT' | 'GUEST' }[]; endedAt?: Date | null },
) {
  const host = options.participants.find((participant) => participant.role === 'HOST') ?? options.participants[0];
  const consultation = await db.consultation.create({
    data: {
      facilityId: options.facilityId,
      studyInstanceUid: options.studyInstanceUid,
      title: 'Test consultation',
      createdById: host.userId,
      endedAt: options.endedAt ?? null,
      participants: { create: options.participants },
    },
  });
  // As startConsultation does: each participant of an open consultation reads its study through a grant
  const study = await db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: options.facilityId, studyInstanceUid: options.studyInstanceUid } }, select: { id: true } });
  if (study && !options.endedAt) {
    await grantConsultationReads(
      db,
      { consultationId: consultation.id, studyRef: study.id, facilityId: options.facilityId, studyInstanceUid: options.studyInstanceUid },
      options.participants.map((participant) => ({ userId: participant.userId })),
      host.userId,
    );
  }
  return consultation;
}
