// A facility's record of a Patient ID. Modalities send IssuerOfPatientID or not,
// and not always the hospital's assigning authority, while HL7 messages always
// name theirs: for the bridge, a facility's Patient IDs are one namespace. The
// record under the message's authority is preferred, then the one under none,
// then the only record of that ID; several records under other issuers and none
// of those: no match (a new record is made). A record merged into another leads
// to the survivor.
import type { Database } from '../../prisma/database';

const RECORD = { id: true, facilityId: true, patientId: true, issuer: true, name: true, sex: true, birthDate: true, demographicsSource: true, demographicsAt: true, mergedIntoRef: true } as const;

export type PatientRecord = {
  id: string;
  facilityId: string;
  patientId: string;
  issuer: string;
  name: string;
  sex: string;
  birthDate: string;
  demographicsSource: string;
  demographicsAt: Date | null;
  mergedIntoRef: string | null;
};

type Reader = Pick<Database, 'patient'>;

export async function findPatientRecord(db: Reader, facilityId: string, patientId: string, issuer: string): Promise<PatientRecord | null> {
  if (!patientId) return null;
  const rows = (await db.patient.findMany({ where: { facilityId, patientId }, select: RECORD })).filter((row) => !row.issuer.startsWith('telepacs:'));
  return rows.find((row) => row.issuer === issuer) ?? rows.find((row) => row.issuer === '') ?? (rows.length === 1 ? rows[0] : null);
}

/** The record itself, or the one it was merged into (followed through later merges). */
export async function survivingRecord(db: Reader, record: PatientRecord): Promise<PatientRecord> {
  let current = record;
  for (let hops = 0; current.mergedIntoRef && hops < 16; hops += 1) {
    const next = await db.patient.findUnique({ where: { id: current.mergedIntoRef }, select: RECORD });
    if (!next) break;
    current = next;
  }
  return current;
}

export async function patientRecordById(db: Reader, id: string): Promise<PatientRecord | null> {
  return db.patient.findUnique({ where: { id }, select: RECORD });
}
