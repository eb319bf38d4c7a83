// The teleconsultations a user takes part in, newest first: what the
// "Teleconsultations" page lists. A participant's own view only (the rows
// are found through their participation, so nobody lists another's).
import type { Database } from '../../prisma/database';

export interface MyConsultation {
  id: string;
  title: string;
  studyInstanceUid: string;
  studyDescription: string;
  patientName: string;
  patientId: string;
  createdAt: Date;
  endedAt: Date | null;
  hostName: string;
  myRole: string;
  participants: number;
  annotations: number;
}

export async function listMyConsultations({ db }: { db: Database }, { userId }: { userId: string }, limit = 100): Promise<MyConsultation[]> {
  const rows = await db.consultationParticipant.findMany({
    where: { userId, user: { disabled: false } },
    orderBy: { consultation: { createdAt: 'desc' } },
    take: limit,
    select: {
      role: true,
      consultation: {
        select: {
          id: true,
          title: true,
          facilityId: true,
          studyInstanceUid: true,
          createdAt: true,
          endedAt: true,
          createdBy: { select: { name: true } },
          _count: { select: { participants: true, annotations: { where: { deletedAt: null } } } },
        },
      },
    },
  });
  const studies = await db.study.findMany({
    where: { studyInstanceUid: { in: rows.map((row) => row.consultation.studyInstanceUid) } },
    select: { studyInstanceUid: true, facilityId: true, description: true, patient: { select: { name: true, patientId: true } } },
  });
  // Each facility holds its own copy of a study: the consultation is about its facility's copy
  const studyByCopy = new Map(studies.map((study) => [`${study.facilityId}\u0000${study.studyInstanceUid}`, study]));
  return rows.map(({ role, consultation }) => {
    const study = studyByCopy.get(`${consultation.facilityId}\u0000${consultation.studyInstanceUid}`);
    return {
      id: consultation.id,
      title: consultation.title,
      studyInstanceUid: consultation.studyInstanceUid,
      studyDescription: study?.description ?? '',
      patientName: study?.patient.name ?? '',
      patientId: study?.patient.patientId ?? '',
      createdAt: consultation.createdAt,
      endedAt: consultation.endedAt,
      hostName: consultation.createdBy.name,
      myRole: role,
      participants: consultation._count.participants,
      annotations: consultation._count.annotations,
    };
  });
}
