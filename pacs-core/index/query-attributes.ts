// Which DICOM attributes a query can name, how they are spelled, and which of
// them the index can match on. Shared by QIDO-RS (PS3.18 10.6) and C-FIND
// (PS3.4 C.6): both name attributes by keyword or tag and both match on the
// same denormalized index columns.
import dcmjs from 'dcmjs';
import { ArchiveError } from '../errors';

/** Query/retrieve levels of the Study Root information model (PS3.4 C.6.2). */
export type QueryLevel = 'study' | 'series' | 'instance';

/** The level an attribute lives at in the index (patient attributes are read through the study). */
export type AttributeLevel = 'patient' | 'study' | 'series' | 'instance';

export interface QueryAttribute {
  /** 8 upper-case hex digits, as in DICOM JSON (PS3.18 F.2.1.1) */
  tag: string;
  keyword: string;
  vr: string;
}

const dictionary = dcmjs.data.DicomMetaDictionary;

/** "(0010,0010)" → "00100010" */
function compactTag(punctuated: string): string {
  return punctuated.replace(/[(),]/g, '').toUpperCase();
}

const TAG_PATTERN = /^[0-9A-Fa-f]{8}$/;

/**
 * Resolves a keyword ("PatientName") or a tag ("00100010") to the attribute.
 * PS3.18 8.3.4.1: {attributeID} is a keyword or a tag. Unknown names throw
 * BAD_REQUEST; private tags (odd group) are accepted by tag with VR "UN"
 * because they may be asked for with includefield.
 */
export function resolveAttribute(keywordOrTag: string): QueryAttribute {
  const name = keywordOrTag.trim();
  if (TAG_PATTERN.test(name)) {
    const tag = name.toUpperCase();
    const entry = dictionary.dictionary[`(${tag.slice(0, 4)},${tag.slice(4)})`];
    if (entry) return { tag, keyword: entry.name, vr: entry.vr };
    if (parseInt(tag.slice(3, 4), 16) % 2 === 1) return { tag, keyword: tag, vr: 'UN' };
    throw new ArchiveError('BAD_REQUEST', `unknown attribute tag ${name}`);
  }
  const entry = dictionary.nameMap[name];
  // The dictionary also holds retired and repeating-group entries whose tags contain "x"
  if (!entry || /x/i.test(entry.tag)) {
    throw new ArchiveError('BAD_REQUEST', `unknown attribute "${name}": use a DICOM keyword (e.g. PatientName) or an 8-digit tag (e.g. 00100010)`);
  }
  return { tag: compactTag(entry.tag), keyword: entry.name, vr: entry.vr };
}

/** How an index column compares values; decides which match kinds it accepts. */
export type ColumnKind =
  | 'uid' // single value or UID list (PS3.4 C.2.2.2.2)
  | 'text' // exact, case-sensitive; wildcard (case-folded, see match-sql.ts)
  | 'person-name' // normalized search key (pacs-core/dicom/normalize.ts)
  | 'date' // YYYYMMDD, single or range
  | 'time' // HHMMSS.FFFFFF, single or range
  | 'integer' // IS stored as INTEGER
  | 'modalities' // "\CT\SR\" denormalized list
  | 'age'; // PatientAge: matched as a PatientBirthDate range (Telepacs extension)

export interface MatchableColumn {
  level: AttributeLevel;
  table: 'Patient' | 'Study' | 'Series' | 'Instance';
  column: string;
  kind: ColumnKind;
}

/**
 * The attributes the index can match on, by tag. Everything here is an
 * indexed or denormalized column, so a search never opens a DICOM file or a
 * JSON blob (DESIGN.md data flow 2). Other attributes can still be returned
 * (universal matching, includefield), just not matched on.
 */
export const MATCHABLE_COLUMNS: ReadonlyMap<string, MatchableColumn> = new Map([
  ['00100010', { level: 'patient', table: 'Patient', column: 'nameSearch', kind: 'person-name' }], // PatientName
  ['00100020', { level: 'patient', table: 'Patient', column: 'patientId', kind: 'text' }], // PatientID
  ['00100021', { level: 'patient', table: 'Patient', column: 'issuer', kind: 'text' }], // IssuerOfPatientID
  ['00100030', { level: 'patient', table: 'Patient', column: 'birthDate', kind: 'date' }], // PatientBirthDate
  ['00100040', { level: 'patient', table: 'Patient', column: 'sex', kind: 'text' }], // PatientSex
  ['00101010', { level: 'patient', table: 'Patient', column: 'birthDate', kind: 'age' }], // PatientAge
  ['0020000D', { level: 'study', table: 'Study', column: 'studyInstanceUid', kind: 'uid' }], // StudyInstanceUID
  ['00080020', { level: 'study', table: 'Study', column: 'studyDate', kind: 'date' }], // StudyDate
  ['00080030', { level: 'study', table: 'Study', column: 'studyTime', kind: 'time' }], // StudyTime
  ['00080050', { level: 'study', table: 'Study', column: 'accessionNumber', kind: 'text' }], // AccessionNumber
  ['00200010', { level: 'study', table: 'Study', column: 'studyId', kind: 'text' }], // StudyID
  ['00081030', { level: 'study', table: 'Study', column: 'description', kind: 'text' }], // StudyDescription
  ['00080090', { level: 'study', table: 'Study', column: 'referringPhysicianSearch', kind: 'person-name' }], // ReferringPhysicianName
  ['00080061', { level: 'study', table: 'Study', column: 'modalities', kind: 'modalities' }], // ModalitiesInStudy
  ['0020000E', { level: 'series', table: 'Series', column: 'seriesInstanceUid', kind: 'uid' }], // SeriesInstanceUID
  ['00080060', { level: 'series', table: 'Series', column: 'modality', kind: 'text' }], // Modality
  ['00200011', { level: 'series', table: 'Series', column: 'seriesNumber', kind: 'integer' }], // SeriesNumber
  ['0008103E', { level: 'series', table: 'Series', column: 'description', kind: 'text' }], // SeriesDescription
  ['00180015', { level: 'series', table: 'Series', column: 'bodyPart', kind: 'text' }], // BodyPartExamined
  ['00080021', { level: 'series', table: 'Series', column: 'seriesDate', kind: 'date' }], // SeriesDate
  ['00080018', { level: 'instance', table: 'Instance', column: 'sopInstanceUid', kind: 'uid' }], // SOPInstanceUID
  ['00080016', { level: 'instance', table: 'Instance', column: 'sopClassUid', kind: 'uid' }], // SOPClassUID
  ['00200013', { level: 'instance', table: 'Instance', column: 'instanceNumber', kind: 'integer' }], // InstanceNumber
  ['00280008', { level: 'instance', table: 'Instance', column: 'numberOfFrames', kind: 'integer' }], // NumberOfFrames
] satisfies [string, MatchableColumn][]);

const LEVEL_RANK: Record<AttributeLevel, number> = { patient: 0, study: 1, series: 2, instance: 3 };
const QUERY_LEVEL_RANK: Record<QueryLevel, number> = { study: 1, series: 2, instance: 3 };

/**
 * The column to match an attribute on at a query level, or an explanation of
 * why it cannot be matched. PS3.18 10.6.1.2: a series search may name study
 * (and patient) attributes and an instance search series ones too, so a
 * column matches at its own level and every level below it.
 */
export function matchableColumn(level: QueryLevel, attribute: QueryAttribute): MatchableColumn | string {
  const column = MATCHABLE_COLUMNS.get(attribute.tag);
  if (!column) return `matching on ${attribute.keyword} (${attribute.tag}) is not supported; it can only be returned (empty value or includefield)`;
  if (LEVEL_RANK[column.level] > QUERY_LEVEL_RANK[level]) {
    const hint = attribute.tag === '00080060' ? '; use ModalitiesInStudy' : '';
    return `${attribute.keyword} is a ${column.level}-level attribute and cannot be matched in a ${level} search${hint}`;
  }
  return column;
}

export function isMatchable(level: QueryLevel, attribute: QueryAttribute): boolean {
  return typeof matchableColumn(level, attribute) !== 'string';
}

// PS3.18 Tables 10.6.3-3, 10.6.3-4 and 10.6.3-5: what a search returns for
// each match when includefield does not ask for more.
export const DEFAULT_STUDY_RETURN_TAGS: readonly string[] = [
  '00080005', // SpecificCharacterSet
  '00080020', // StudyDate
  '00080030', // StudyTime
  '00080050', // AccessionNumber
  '00080056', // InstanceAvailability
  '00080061', // ModalitiesInStudy
  '00080090', // ReferringPhysicianName
  '00080201', // TimezoneOffsetFromUTC
  '00081190', // RetrieveURL
  '00100010', // PatientName
  '00100020', // PatientID
  '00100030', // PatientBirthDate
  '00100040', // PatientSex
  '0020000D', // StudyInstanceUID
  '00200010', // StudyID
  '00201206', // NumberOfStudyRelatedSeries
  '00201208', // NumberOfStudyRelatedInstances
];

export const DEFAULT_SERIES_RETURN_TAGS: readonly string[] = [
  '00080005', // SpecificCharacterSet
  '00080060', // Modality
  '00080201', // TimezoneOffsetFromUTC
  '0008103E', // SeriesDescription
  '00081190', // RetrieveURL
  '0020000E', // SeriesInstanceUID
  '00200011', // SeriesNumber
  '00201209', // NumberOfSeriesRelatedInstances
  '00400244', // PerformedProcedureStepStartDate
  '00400245', // PerformedProcedureStepStartTime
  '00400275', // RequestAttributesSequence
];

export const DEFAULT_INSTANCE_RETURN_TAGS: readonly string[] = [
  '00080005', // SpecificCharacterSet
  '00080016', // SOPClassUID
  '00080018', // SOPInstanceUID
  '00080056', // InstanceAvailability
  '00080201', // TimezoneOffsetFromUTC
  '00081190', // RetrieveURL
  '00200013', // InstanceNumber
  '00280010', // Rows
  '00280011', // Columns
  '00280100', // BitsAllocated
  '00280008', // NumberOfFrames
];

/** Attributes the archive computes rather than stores (PS3.4 C.3.4, PS3.18 10.6.3.3). */
export const COMPUTED_TAGS = {
  specificCharacterSet: '00080005',
  instanceAvailability: '00080056',
  modalitiesInStudy: '00080061',
  retrieveUrl: '00081190',
  numberOfStudyRelatedSeries: '00201206',
  numberOfStudyRelatedInstances: '00201208',
  numberOfSeriesRelatedInstances: '00201209',
} as const;
