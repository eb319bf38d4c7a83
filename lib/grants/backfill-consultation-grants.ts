// Consultations opened before grants were rows (issue 13) read through their
// participant rows; from now on they read through grants. At every start,
// each participant of an open consultation who has no grant from it gets one
// (a guest's ends with their link), so the change of mechanism changes nobody's
// access. Idempotent: a second run finds nothing to do. A consultation whose
// study copy was deleted gets no grant (it read nothing before either).
import type { Database } from '../../prisma/database';
import { grantConsultationReads } from './consultation-grants';

export async function backfillConsultationGrants(db: Database, now = new Date()): Promise<number> {
  const open = await db.consultation.findMany({
    where: { endedAt: null },
    select: {
      id: true,
      facilityId: true,
      studyInstanceUid: true,
      createdById: true,
      participants: { select: { userId: true } },
      guestLinks: { where: { guestUserId: { not: null } }, select: { guestUserId: true, expiresAt: true } },
    },
  });
  let granted = 0;
  for (const consultation of open) {
    const held = await db.accessGrant.findMany({
      where: { sourceType: 'consultation', sourceId: consultation.id, granteeUserId: { not: null } },
      select: { granteeUserId: true },
    });
    const missing = consultation.participants.filter((participant) => !held.some((grant) => grant.granteeUserId === participant.userId));
    if (!missing.length) continue;
    const study = await db.study.findUnique({
      where: { facilityId_studyInstanceUid: { facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid } },
      select: { id: true },
    });
    if (!study) continue;
    const grantees = missing.map((participant) => ({
      userId: participant.userId,
      validUntil: consultation.guestLinks.find((link) => link.guestUserId === participant.userId)?.expiresAt ?? null,
    }));
    await db.$transaction((tx) =>
      grantConsultationReads(tx, { consultationId: consultation.id, studyRef: study.id, facilityId: consultation.facilityId, studyInstanceUid: consultation.studyInstanceUid }, grantees, consultation.createdById, now),
    );
    granted += grantees.length;
  }
  return granted;
}
