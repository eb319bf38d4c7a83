// The records linked into one person (prisma/schema.base.prisma, Person and
// PatientLink): shared by the patient page, linking and unlinking. Only
// active links (no unlinkedAt) count; ended ones are history.
import type { Database } from '../../prisma/database';

/** Either the client or a transaction client. */
export type LinkDatabase = Pick<Database, 'patientLink' | 'patient' | 'user'>;

/** One facility's record of a patient (a Patient row), as pages show it. */
export interface PatientRecord {
  id: string;
  /** MRN (0010,0020) and its issuer in that facility */
  patientId: string;
  issuer: string;
  name: string;
  sex: string;
  birthDate: string;
  facility: { id: string; code: string; name: string };
}

export interface LinkedRecord extends PatientRecord {
  /** How this record joined the person: by the region-wide ID, or by whom */
  link: { method: 'AUTOMATIC' | 'MANUAL'; linkedAt: Date; linkedBy: { name: string; email: string } | null };
}

/** The person a record belongs to now, or null. */
export async function activePersonOf(db: LinkDatabase, patientRef: string): Promise<string | null> {
  const link = await db.patientLink.findFirst({ where: { patientRef, unlinkedAt: null }, select: { personRef: true } });
  return link?.personRef ?? null;
}

/**
 * Every other record of the same person, oldest link first; [] for a record
 * linked to nobody. No access decision here: callers filter by what the
 * viewer may read (lib/search/patient-history.ts) or administer.
 */
export async function linkedRecordsOf(db: LinkDatabase, patientRef: string): Promise<LinkedRecord[]> {
  const personRef = await activePersonOf(db, patientRef);
  if (!personRef) return [];
  const links = await db.patientLink.findMany({
    where: { personRef, unlinkedAt: null, patientRef: { not: patientRef } },
    orderBy: [{ linkedAt: 'asc' }, { id: 'asc' }],
    select: {
      method: true,
      linkedAt: true,
      linkedById: true,
      patient: {
        select: { id: true, patientId: true, issuer: true, name: true, sex: true, birthDate: true, facility: { select: { id: true, code: true, name: true } } },
      },
    },
  });
  const adminIds = [...new Set(links.map((link) => link.linkedById).filter((id): id is string => id !== null))];
  const admins = adminIds.length ? await db.user.findMany({ where: { id: { in: adminIds } }, select: { id: true, name: true, email: true } }) : [];
  return links.map((link) => {
    const admin = admins.find((user) => user.id === link.linkedById);
    return {
      ...link.patient,
      link: {
        // A link made by a person (an administrator, or the sending team naming an unidentified emergency patient)
        method: link.method === 'MANUAL' || link.method === 'TRANSFER_IDENTIFY' ? 'MANUAL' : 'AUTOMATIC',
        linkedAt: link.linkedAt,
        linkedBy: admin ? { name: admin.name, email: admin.email } : null,
      },
    };
  });
}
