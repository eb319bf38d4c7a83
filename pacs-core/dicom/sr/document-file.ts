// What every document Telepacs writes into a study shares (the TID 1500
// measurement report, the report SR, the encapsulated PDF of a report): the
// Patient and General Study attributes copied from the index, the references
// to other instances, DA/TM of a moment, and the Part 10 file itself.
import dcmjs from 'dcmjs';
import type { DicomJsonDataset, DicomJsonElement } from '../dicom-json';
// Our implementation's identity in the file meta (PS3.10 7.1), the same as the DIMSE side's
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../dimse/constants';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** PS3.16 8.2: the UID of the DICOM Content Mapping Resource (DCMR). */
export const DCMR_UID = '1.2.840.10008.8.1.1';

/**
 * Patient (C.7.1.1) and General Study (C.7.2.1) attributes copied from the
 * index. Type 2 ones are written empty when the index has no value; Type 3
 * ones only when present.
 */
const COPIED_ATTRIBUTES: readonly { tag: string; vr: string; type: 2 | 3 }[] = [
  { tag: '00100010', vr: 'PN', type: 2 }, // PatientName
  { tag: '00100020', vr: 'LO', type: 2 }, // PatientID
  { tag: '00100021', vr: 'LO', type: 3 }, // IssuerOfPatientID
  { tag: '00100024', vr: 'SQ', type: 3 }, // IssuerOfPatientIDQualifiersSequence
  { tag: '00100030', vr: 'DA', type: 2 }, // PatientBirthDate
  { tag: '00100032', vr: 'TM', type: 3 }, // PatientBirthTime
  { tag: '00100040', vr: 'CS', type: 2 }, // PatientSex
  { tag: '00101002', vr: 'SQ', type: 3 }, // OtherPatientIDsSequence
  { tag: '00080020', vr: 'DA', type: 2 }, // StudyDate
  { tag: '00080030', vr: 'TM', type: 2 }, // StudyTime
  { tag: '00080050', vr: 'SH', type: 2 }, // AccessionNumber
  { tag: '00080051', vr: 'SQ', type: 3 }, // IssuerOfAccessionNumberSequence
  { tag: '00080090', vr: 'PN', type: 2 }, // ReferringPhysicianName
  { tag: '00200010', vr: 'SH', type: 2 }, // StudyID
  { tag: '00081030', vr: 'LO', type: 3 }, // StudyDescription
];

/** What places a new document in its study: the study as the index keeps it, its series, itself. */
export interface DocumentIdentity {
  /**
   * The study's Patient and General Study attributes as the index keeps them
   * (DICOM JSON, Study.attributes): copied, not re-derived, so the document
   * files under the same patient and study everywhere.
   */
  patientStudy: DicomJsonDataset;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  seriesDescription?: string;
  sopInstanceUid: string;
  instanceNumber: number;
  /** When the content was made (ContentDate/ContentTime, InstanceCreationDate/Time) */
  createdAt: Date;
  /** General Equipment: Manufacturer (Type 2), default Telepacs */
  manufacturer?: string;
  softwareVersion?: string;
}

/**
 * The attributes every document writes the same way: SOP Common (C.12.1),
 * the StudyInstanceUID (the one General Study attribute that must match, not
 * copied), the series (Modality, UID, number, date/time, description),
 * General Equipment (C.7.5.1) and InstanceNumber.
 */
export function documentHeader(identity: DocumentIdentity, sopClassUid: string, modality: string, seriesCreatedAt: Date = identity.createdAt): Record<string, unknown> {
  const created = dicomDateTime(identity.createdAt);
  const seriesCreated = dicomDateTime(seriesCreatedAt);
  return {
    // dcmjs writes text as UTF-8
    SpecificCharacterSet: 'ISO_IR 192',
    SOPClassUID: sopClassUid,
    SOPInstanceUID: identity.sopInstanceUid,
    InstanceCreationDate: created.date,
    InstanceCreationTime: created.time,
    TimezoneOffsetFromUTC: created.offset,
    StudyInstanceUID: identity.studyInstanceUid,
    Modality: modality,
    SeriesInstanceUID: identity.seriesInstanceUid,
    SeriesNumber: String(identity.seriesNumber),
    SeriesDate: seriesCreated.date,
    SeriesTime: seriesCreated.time,
    ...(identity.seriesDescription ? { SeriesDescription: identity.seriesDescription.slice(0, 64) } : {}),
    Manufacturer: identity.manufacturer ?? 'Telepacs',
    ...(identity.softwareVersion ? { SoftwareVersions: identity.softwareVersion } : {}),
    InstanceNumber: String(identity.instanceNumber),
    ContentDate: created.date,
    ContentTime: created.time,
  };
}

/**
 * Writes `dataset` (naturalized, dcmjs keywords; its SpecificCharacterSet
 * must be ISO_IR 192, dcmjs writes text as UTF-8) with the Patient/Study
 * attributes of `patientStudy` as a Part 10 file in Explicit VR Little Endian.
 */
export function writeDocumentFile(dataset: Record<string, unknown>, patientStudy: DicomJsonDataset): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: IMPLEMENTATION_VERSION_NAME,
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = { ...DicomMetaDictionary.denaturalizeDataset(dataset), ...copiedPatientStudy(patientStudy) };
  return new Uint8Array(dict.write());
}

/** Copies the Patient/Study attributes from the index's DICOM JSON into dcmjs's dict form. */
function copiedPatientStudy(patientStudy: DicomJsonDataset): Record<string, DicomJsonElement> {
  const out: Record<string, DicomJsonElement> = {};
  for (const { tag, vr, type } of COPIED_ATTRIBUTES) {
    const element = patientStudy[tag];
    // PS3.18 F.2.5: null stands for an empty value in DICOM JSON; dcmjs writes ''
    const values = (element?.Value ?? []).map((value) => (value === null ? '' : value));
    const present = values.some((value) => value !== '');
    if (present && element) out[tag] = { vr: element.vr, Value: values };
    else if (type === 2) out[tag] = { vr, Value: [] };
  }
  return out;
}

/** An instance another document refers to. */
export interface InstanceReference {
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
}

/** Table C.17-3 Hierarchical SOP Instance Reference Macro: one study, its series, their instances (each once). */
export function evidence(studyInstanceUid: string, instances: readonly InstanceReference[]): Record<string, unknown> {
  const bySeries = new Map<string, Map<string, string>>();
  for (const instance of instances) {
    const inSeries = bySeries.get(instance.seriesInstanceUid) ?? new Map<string, string>();
    inSeries.set(instance.sopInstanceUid, instance.sopClassUid);
    bySeries.set(instance.seriesInstanceUid, inSeries);
  }
  return {
    StudyInstanceUID: studyInstanceUid,
    ReferencedSeriesSequence: [...bySeries].map(([seriesInstanceUid, inSeries]) => ({
      SeriesInstanceUID: seriesInstanceUid,
      ReferencedSOPSequence: [...inSeries].map(([sopInstanceUid, sopClassUid]) => ({
        ReferencedSOPClassUID: sopClassUid,
        ReferencedSOPInstanceUID: sopInstanceUid,
      })),
    })),
  };
}

export interface DicomDateTime {
  date: string;
  time: string;
  offset: string;
}

/**
 * DA/TM in the node's local time (what a modality would write) with its
 * offset from UTC (SOP Common Timezone Offset From UTC, &ZZXX), so a reader
 * elsewhere gets the instant right.
 */
export function dicomDateTime(at: Date): DicomDateTime {
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  const offsetMinutes = -at.getTimezoneOffset();
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return {
    date: `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`,
    time: `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`,
    offset: `${sign}${pad(Math.floor(absolute / 60))}${pad(absolute % 60)}`,
  };
}

/** A DT value (PS3.5 6.2) with its offset from UTC: YYYYMMDDHHMMSS.FFF&ZZXX. */
export function dicomDateTimeValue(at: Date): string {
  const { date, time, offset } = dicomDateTime(at);
  return `${date}${time}${offset}`;
}
