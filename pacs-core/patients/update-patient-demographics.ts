// A patient's demographics from the hospital's system (an HL7 ADT through
// lib/hl7): the facility's record is found (or made) by its Patient ID, its
// name, sex and birth date become the HIS's, and the index of its studies
// follows (reindex-patient-studies.ts). The stored files stay as received.
import type { Archive } from '../archive';
import { personNameSearchKey } from '../dicom/normalize';
import { patientOverlayOf } from './patient-overlay';
import { reindexPatientStudies } from './reindex-patient-studies';
import { findPatientRecord, survivingRecord } from './find-patient-record';

export interface DemographicsUpdate {
  facilityId: string;
  patientId: string;
  /** The assigning authority the message names: a record kept under it, or under none, is the same patient */
  issuer: string;
  /** undefined = not in the message (kept); '' = deleted by the sender ("") */
  name?: string;
  sex?: string;
  birthDate?: string;
  at: Date;
}

type Field = 'name' | 'sex' | 'birthDate';

export interface DemographicsResult {
  patientRef: string;
  created: boolean;
  changes: Partial<Record<Field, { from: string; to: string }>>;
  /** Studies whose index now serves the new values */
  studies: number;
}

export async function updatePatientDemographics(archive: Archive, update: DemographicsUpdate): Promise<DemographicsResult> {
  const { db } = archive;
  const found = await findPatientRecord(db, update.facilityId, update.patientId, update.issuer);
  if (!found) {
    const created = await db.patient.create({
      data: {
        facilityId: update.facilityId,
        patientId: update.patientId,
        // Records are keyed as modalities send them, which is mostly without an issuer
        issuer: '',
        name: update.name ?? '',
        nameSearch: personNameSearchKey(update.name ?? ''),
        sex: update.sex ?? '',
        birthDate: update.birthDate ?? '',
        demographicsSource: 'HIS',
        demographicsAt: update.at,
      },
      select: { id: true },
    });
    return { patientRef: created.id, created: true, changes: {}, studies: 0 };
  }
  const record = await survivingRecord(db, found);
  const changes: DemographicsResult['changes'] = {};
  for (const field of ['name', 'sex', 'birthDate'] as const) {
    const next = update[field];
    if (next !== undefined && next !== record[field]) changes[field] = { from: record[field], to: next };
  }
  const firstFromHis = record.demographicsSource !== 'HIS';
  if (Object.keys(changes).length === 0 && !firstFromHis) return { patientRef: record.id, created: false, changes, studies: 0 };
  const values = {
    name: update.name ?? record.name,
    sex: update.sex ?? record.sex,
    birthDate: update.birthDate ?? record.birthDate,
  };
  const saved = await db.patient.update({
    where: { id: record.id },
    data: { ...values, nameSearch: personNameSearchKey(values.name), demographicsSource: 'HIS', demographicsAt: update.at },
    select: { id: true, patientId: true, issuer: true, name: true, sex: true, birthDate: true, demographicsAt: true },
  });
  const studies = await db.study.findMany({ where: { patientRef: record.id }, select: { id: true } });
  // Values the index already serves (the first HIS message agreeing with the images) need no rewrite
  const overlay = patientOverlayOf(saved);
  if (overlay && studies.length > 0 && Object.keys(changes).length > 0) await reindexPatientStudies(archive, studies.map((study) => study.id), overlay);
  return { patientRef: record.id, created: false, changes, studies: studies.length };
}
