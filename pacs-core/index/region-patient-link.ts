// Automatic linking of a facility's patient record to its region-wide person
// (prisma/schema.base.prisma, Person and PatientLink; docs: "One patient
// across facilities"). The node is told which issuer of patient IDs is the
// region's (REGION_PATIENT_ID_ISSUER); pacs-core applies it while it writes
// the patient row, in the same transaction, so a committed study of a record
// that carries the region-wide ID is never left unlinked (no event to lose).
// Manual links and unlinks are the portal's (lib/patients): they need an
// administrator, a policy decision and an audit row.
import { firstString, type DicomJsonDataset } from '../dicom/dicom-json';
import type { Database } from '../../prisma/database';

type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

/**
 * The patient's ID under `issuer`, from the instance: PatientID (0010,0020)
 * when IssuerOfPatientID (0010,0021) is that issuer, else the first item of
 * OtherPatientIDsSequence (0010,1002) whose IssuerOfPatientID is. Issuers
 * compare exactly, after trimming (LO: leading and trailing spaces are not
 * significant).
 */
export function regionPatientIdOf(ds: DicomJsonDataset, issuer: string): string | null {
  if (firstString(ds, '00100021') === issuer) {
    const id = firstString(ds, '00100020');
    if (id) return id;
  }
  for (const item of ds['00101002']?.Value ?? []) {
    if (!item || typeof item !== 'object') continue;
    const nested = item as DicomJsonDataset;
    if (firstString(nested, '00100021') !== issuer) continue;
    const id = firstString(nested, '00100020');
    if (id) return id;
  }
  return null;
}

/**
 * Links the record to the person of its region-wide ID (created on first
 * use), unless the record is already linked to someone (a manual decision or
 * an earlier ID stands) or was once linked to that person and an
 * administrator unlinked it (their decision stands too). Idempotent.
 */
export async function linkByRegionPatientId(tx: Transaction, patientRef: string, ds: DicomJsonDataset, issuer: string): Promise<void> {
  const regionPatientId = regionPatientIdOf(ds, issuer);
  if (!regionPatientId) return;
  await linkRecordToRegionPerson(tx, patientRef, regionPatientId, issuer);
}

/** The same, from an ID already read (an HL7 message's PID-3 under the region's assigning authority). */
export async function linkRecordToRegionPerson(tx: Transaction, patientRef: string, regionPatientId: string, issuer: string): Promise<void> {
  const existing = await tx.patientLink.findFirst({
    where: { patientRef, OR: [{ unlinkedAt: null }, { person: { regionIssuer: issuer, regionPatientId } }] },
    select: { id: true },
  });
  if (existing) return;
  const person = await tx.person.upsert({
    where: { regionIssuer_regionPatientId: { regionIssuer: issuer, regionPatientId } },
    create: { regionIssuer: issuer, regionPatientId },
    update: {},
    select: { id: true },
  });
  await tx.patientLink.create({ data: { patientRef, personRef: person.id, method: 'AUTOMATIC' } });
}
