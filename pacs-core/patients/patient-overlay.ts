// The patient attributes the index serves for a record whose demographics the
// bridge set (an HL7 update, or a merge that moved studies to it): the stored
// files stay as received, and the index — Study.attributes for QIDO and C-FIND,
// Instance.metadata for WADO-RS metadata — carries the record's values instead
// of the header's. docs/architecture.md "Patient updates and merges".
import type { DicomJsonDataset } from '../dicom/dicom-json';

export interface PatientRecordValues {
  patientId: string;
  issuer: string;
  name: string;
  sex: string;
  birthDate: string;
  /** Set when the bridge set the record's demographics; null = the first image's are served */
  demographicsAt: Date | null;
}

/** The tags to lay over a header, or null when the record serves its images' own values. */
export function patientOverlayOf(patient: PatientRecordValues): DicomJsonDataset | null {
  if (!patient.demographicsAt) return null;
  const overlay: DicomJsonDataset = {
    '00100010': patient.name ? { vr: 'PN', Value: [personName(patient.name)] } : { vr: 'PN' },
    '00100020': { vr: 'LO', Value: [patient.patientId] },
    '00100030': patient.birthDate ? { vr: 'DA', Value: [patient.birthDate] } : { vr: 'DA' },
    '00100040': patient.sex ? { vr: 'CS', Value: [patient.sex] } : { vr: 'CS' },
  };
  // A synthetic issuer (no PatientID in the images) or none: the header's issuer is dropped
  if (patient.issuer && !patient.issuer.startsWith('telepacs:')) overlay['00100021'] = { vr: 'LO', Value: [patient.issuer] };
  return overlay;
}

/** Lays the overlay over a dataset; an issuer the record lacks is removed. */
export function applyPatientOverlay(dataset: DicomJsonDataset, overlay: DicomJsonDataset): DicomJsonDataset {
  const out: DicomJsonDataset = { ...dataset, ...overlay };
  if (!overlay['00100021']) delete out['00100021'];
  // DICOM JSON objects are ordered by tag (PS3.18 F.2.1.1 does not require it, viewers like it)
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** DICOM PN text (=-separated component groups) → its JSON form. */
function personName(pn: string): { Alphabetic: string; Ideographic?: string; Phonetic?: string } {
  const [alphabetic = '', ideographic, phonetic] = pn.split('=');
  return { Alphabetic: alphabetic, ...(ideographic ? { Ideographic: ideographic } : {}), ...(phonetic ? { Phonetic: phonetic } : {}) };
}
