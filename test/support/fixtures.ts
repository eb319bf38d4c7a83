// DICOM test files made by the test suite itself, so that every test runs
// against real Part 10 files without shipping binaries in the repository.
//
// - makeInstance / makeStudy: Explicit VR Little Endian files written by dcmjs,
//   deterministic (same options → same bytes), fast enough for a 500-image
//   512×512 bench series.
// - fixture(name): named variants (transfer syntaxes, character sets,
//   malformed inputs). Transfer syntax variants are converted by DCMTK, a
//   different implementation from ours, so a test that passes on them proves
//   interoperability rather than agreement with ourselves. They are made once
//   and cached under os.tmpdir()/telepacs-fixtures-<version>.
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dcmjs from 'dcmjs';
import type { ArchiveErrorCode } from '../../pacs-core/errors';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;

// ---------------------------------------------------------------------------
// UIDs
// ---------------------------------------------------------------------------

/**
 * A deterministic UID under the 2.25 root (PS3.5 B.2: a UUID written as one
 * decimal integer), from a name-based UUID (RFC 9562 version 5, SHA-1) of
 * `seed`. At most 44 characters, well under the 64 allowed.
 */
export function makeUid(seed: string): string {
  const hash = createHash('sha1').update('telepacs-fixture:').update(seed).digest();
  const uuid = Buffer.from(hash.subarray(0, 16));
  uuid[6] = (uuid[6] & 0x0f) | 0x50; // version 5
  uuid[8] = (uuid[8] & 0x3f) | 0x80; // RFC variant
  return `2.25.${BigInt(`0x${uuid.toString('hex')}`).toString(10)}`;
}

export const TRANSFER_SYNTAX = {
  IMPLICIT_LE: '1.2.840.10008.1.2',
  EXPLICIT_LE: '1.2.840.10008.1.2.1',
  DEFLATED_LE: '1.2.840.10008.1.2.1.99',
  EXPLICIT_BE: '1.2.840.10008.1.2.2',
  RLE: '1.2.840.10008.1.2.5',
  JPEG_BASELINE: '1.2.840.10008.1.2.4.50',
  JPEG_LOSSLESS: '1.2.840.10008.1.2.4.57',
  JPEG_LOSSLESS_SV1: '1.2.840.10008.1.2.4.70',
  JPEG_LS_LOSSLESS: '1.2.840.10008.1.2.4.80',
} as const;

export const SOP_CLASS = {
  CR: '1.2.840.10008.5.1.4.1.1.1',
  DX: '1.2.840.10008.5.1.4.1.1.1.1',
  MG: '1.2.840.10008.5.1.4.1.1.1.2',
  CT: '1.2.840.10008.5.1.4.1.1.2',
  MR: '1.2.840.10008.5.1.4.1.1.4',
  US: '1.2.840.10008.5.1.4.1.1.6.1',
  US_MULTIFRAME: '1.2.840.10008.5.1.4.1.1.3.1',
  SC: '1.2.840.10008.5.1.4.1.1.7',
  SC_MULTIFRAME_BYTE: '1.2.840.10008.5.1.4.1.1.7.2',
  SC_MULTIFRAME_WORD: '1.2.840.10008.5.1.4.1.1.7.3',
  XA: '1.2.840.10008.5.1.4.1.1.12.1',
  NM: '1.2.840.10008.5.1.4.1.1.20',
  PT: '1.2.840.10008.5.1.4.1.1.128',
} as const;

const SINGLE_FRAME_SOP_CLASS: Record<string, string> = {
  CR: SOP_CLASS.CR,
  DX: SOP_CLASS.DX,
  MG: SOP_CLASS.MG,
  CT: SOP_CLASS.CT,
  MR: SOP_CLASS.MR,
  US: SOP_CLASS.US,
  XA: SOP_CLASS.XA,
  NM: SOP_CLASS.NM,
  PT: SOP_CLASS.PT,
};

// ---------------------------------------------------------------------------
// makeInstance
// ---------------------------------------------------------------------------

export interface InstanceOptions {
  patientId?: string;
  issuerOfPatientId?: string;
  /** OtherPatientIDsSequence (0010,1002): the patient's IDs under other issuers (e.g. the region's) */
  otherPatientIds?: readonly { patientId: string; issuerOfPatientId: string }[];
  /** PN with ^ between components, = between alphabetic/ideographic/phonetic groups */
  patientName?: string;
  patientSex?: 'M' | 'F' | 'O' | '';
  /** DA, YYYYMMDD */
  patientBirthDate?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** Default: from the modality (CT Image Storage for CT...), Secondary Capture multi-frame when numberOfFrames > 1 */
  sopClassUid?: string;
  /** DA, YYYYMMDD */
  studyDate?: string;
  /** TM, HHMMSS */
  studyTime?: string;
  accessionNumber?: string;
  studyId?: string;
  studyDescription?: string;
  seriesDescription?: string;
  referringPhysicianName?: string;
  modality?: string;
  bodyPartExamined?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  rows?: number;
  columns?: number;
  /** 16: signed, with CT rescale; 8: unsigned MONOCHROME2 (what JPEG baseline can encode) */
  bitsAllocated?: 8 | 16;
  numberOfFrames?: number;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  windowCenter?: number;
  windowWidth?: number;
  /** Only ISO_IR 192 (UTF-8) may go with non-ASCII text: dcmjs always writes UTF-8. */
  specificCharacterSet?: string | readonly string[];
  /** Seed for the UIDs that are not given; default from patient ID and accession number */
  seed?: string;
  /** More naturalized attributes (dcmjs keywords), applied over the defaults */
  attributes?: Record<string, unknown>;
  /** Keywords to leave out (e.g. 'SOPInstanceUID' for a malformed file) */
  omit?: readonly string[];
}

export interface InstanceUids {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  frameOfReferenceUid: string;
}

const DEFAULTS = {
  patientId: 'TP-0001',
  issuerOfPatientId: 'TELEPACS-TEST',
  patientName: 'Test^Patient',
  patientSex: 'O',
  patientBirthDate: '19700101',
  studyDate: '20240115',
  studyTime: '101500',
  accessionNumber: 'ACC0001',
  studyDescription: 'CT CHEST',
  seriesDescription: 'Axial 1.25 mm',
  referringPhysicianName: 'Referrer^Rita',
  modality: 'CT',
  bodyPartExamined: 'CHEST',
  seriesNumber: 1,
  instanceNumber: 1,
  rows: 64,
  columns: 64,
  numberOfFrames: 1,
} as const;

/** The UIDs makeInstance will use for these options (given ones win). */
export function instanceUids(options: InstanceOptions = {}): InstanceUids {
  const seed = options.seed ?? `${options.patientId ?? DEFAULTS.patientId}|${options.accessionNumber ?? DEFAULTS.accessionNumber}`;
  const studyInstanceUid = options.studyInstanceUid ?? makeUid(`study|${seed}`);
  const seriesInstanceUid =
    options.seriesInstanceUid ?? makeUid(`series|${studyInstanceUid}|${options.seriesNumber ?? DEFAULTS.seriesNumber}`);
  const sopInstanceUid =
    options.sopInstanceUid ?? makeUid(`sop|${seriesInstanceUid}|${options.instanceNumber ?? DEFAULTS.instanceNumber}`);
  return { studyInstanceUid, seriesInstanceUid, sopInstanceUid, frameOfReferenceUid: makeUid(`for|${studyInstanceUid}`) };
}

function defaultSopClass(modality: string, frames: number, bitsAllocated: 8 | 16): string {
  if (frames > 1) {
    if (modality === 'US') return SOP_CLASS.US_MULTIFRAME;
    // The classic single-frame IODs (CT, MR...) do not allow NumberOfFrames;
    // multi-frame grayscale Secondary Capture does, for any modality.
    return bitsAllocated === 8 ? SOP_CLASS.SC_MULTIFRAME_BYTE : SOP_CLASS.SC_MULTIFRAME_WORD;
  }
  return SINGLE_FRAME_SOP_CLASS[modality] ?? SOP_CLASS.SC;
}

/**
 * A diagonal ramp (so windowing and orientation are visible in a rendered
 * image) with a bright disc whose position moves with the instance and frame
 * number (so frames differ and a wrong frame is caught by a pixel test).
 */
function makePixelData(rows: number, columns: number, frames: number, bitsAllocated: 8 | 16, instanceNumber: number): ArrayBuffer {
  const pixelsPerFrame = rows * columns;
  const out = bitsAllocated === 8 ? new Uint8Array(pixelsPerFrame * frames) : new Int16Array(pixelsPerFrame * frames);
  const span = Math.max(1, rows + columns - 2);
  const radius = Math.max(2, Math.floor(Math.min(rows, columns) / 8));
  const radius2 = radius * radius;
  for (let frame = 0; frame < frames; frame++) {
    const step = (instanceNumber - 1 + frame) % 8;
    const cx = radius + Math.floor(((columns - 2 * radius) * step) / 8);
    const cy = Math.floor(rows / 2);
    const base = frame * pixelsPerFrame;
    for (let y = 0; y < rows; y++) {
      const dy2 = (y - cy) * (y - cy);
      for (let x = 0; x < columns; x++) {
        const inDisc = (x - cx) * (x - cx) + dy2 <= radius2;
        const ramp = (x + y) / span;
        // 16-bit: stored value = HU + 1024, the ramp runs from -1000 to +1000 HU.
        out[base + y * columns + x] =
          bitsAllocated === 8 ? (inDisc ? 255 : Math.round(ramp * 200)) : inDisc ? 2524 : Math.round(24 + ramp * 2000);
      }
    }
  }
  return out.buffer as ArrayBuffer;
}

/** DS values hold at most 16 characters (PS3.5 6.2); dcmjs would truncate and warn. */
function decimal(value: number): number {
  return Number(value.toPrecision(8));
}

function hasNonAscii(value: unknown): boolean {
  if (typeof value === 'string') return /[^\x00-\x7f]/.test(value);
  if (Array.isArray(value)) return value.some(hasNonAscii);
  return false;
}

function charsetValues(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : [...value];
}

/** The naturalized (dcmjs keyword) dataset makeInstance writes. */
export function instanceDataset(options: InstanceOptions = {}): Record<string, unknown> {
  const uids = instanceUids(options);
  const modality = options.modality ?? DEFAULTS.modality;
  const bitsAllocated = options.bitsAllocated ?? 16;
  const rows = options.rows ?? DEFAULTS.rows;
  const columns = options.columns ?? DEFAULTS.columns;
  const frames = options.numberOfFrames ?? DEFAULTS.numberOfFrames;
  const instanceNumber = options.instanceNumber ?? DEFAULTS.instanceNumber;
  const sliceThickness = 1.25;
  const pixelSpacing = decimal(350 / Math.max(rows, columns)); // a 35 cm field of view
  const sopClassUid = options.sopClassUid ?? defaultSopClass(modality, frames, bitsAllocated);
  const secondaryCapture = sopClassUid === SOP_CLASS.SC || sopClassUid.startsWith('1.2.840.10008.5.1.4.1.1.7.');
  // PS3.3 C.8.6.3: multi-frame grayscale SC is unsigned only; our ramp is >= 0 either way.
  const signed = bitsAllocated === 16 && sopClassUid !== SOP_CLASS.SC_MULTIFRAME_WORD;
  // MR images carry no Modality LUT (PS3.3 C.8.3.1); CT-like 16-bit data do.
  const rescaled = bitsAllocated === 16 && modality !== 'MR';
  const dataset: Record<string, unknown> = {
    ImageType: modality === 'CT' ? ['ORIGINAL', 'PRIMARY', 'AXIAL'] : modality === 'MR' ? ['ORIGINAL', 'PRIMARY', 'OTHER'] : ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: sopClassUid,
    SOPInstanceUID: uids.sopInstanceUid,
    StudyDate: options.studyDate ?? DEFAULTS.studyDate,
    SeriesDate: options.studyDate ?? DEFAULTS.studyDate,
    ContentDate: options.studyDate ?? DEFAULTS.studyDate,
    StudyTime: options.studyTime ?? DEFAULTS.studyTime,
    SeriesTime: options.studyTime ?? DEFAULTS.studyTime,
    ContentTime: options.studyTime ?? DEFAULTS.studyTime,
    AccessionNumber: options.accessionNumber ?? DEFAULTS.accessionNumber,
    Modality: modality,
    Manufacturer: 'Telepacs test fixtures',
    ReferringPhysicianName: options.referringPhysicianName ?? DEFAULTS.referringPhysicianName,
    StudyDescription: options.studyDescription ?? DEFAULTS.studyDescription,
    SeriesDescription: options.seriesDescription ?? DEFAULTS.seriesDescription,
    PatientName: options.patientName ?? DEFAULTS.patientName,
    PatientID: options.patientId ?? DEFAULTS.patientId,
    IssuerOfPatientID: options.issuerOfPatientId ?? DEFAULTS.issuerOfPatientId,
    PatientBirthDate: options.patientBirthDate ?? DEFAULTS.patientBirthDate,
    PatientSex: options.patientSex ?? DEFAULTS.patientSex,
    BodyPartExamined: options.bodyPartExamined ?? DEFAULTS.bodyPartExamined,
    SliceThickness: sliceThickness,
    KVP: modality === 'CT' ? 120 : undefined,
    // PS3.3 C.7.3.1: Type 2C, required for CT and MR images.
    PatientPosition: modality === 'CT' || modality === 'MR' ? 'HFS' : undefined,
    StudyInstanceUID: uids.studyInstanceUid,
    SeriesInstanceUID: uids.seriesInstanceUid,
    StudyID: options.studyId ?? '1',
    SeriesNumber: options.seriesNumber ?? DEFAULTS.seriesNumber,
    AcquisitionNumber: 1,
    InstanceNumber: instanceNumber,
    PatientOrientation: ['L', 'P'],
    ImagePositionPatient: [decimal((-columns * pixelSpacing) / 2), decimal((-rows * pixelSpacing) / 2), decimal(-instanceNumber * sliceThickness)],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    FrameOfReferenceUID: uids.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SliceLocation: decimal(-instanceNumber * sliceThickness),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: [pixelSpacing, pixelSpacing],
    BitsAllocated: bitsAllocated,
    BitsStored: bitsAllocated,
    HighBit: bitsAllocated - 1,
    PixelRepresentation: signed ? 1 : 0,
    WindowCenter: options.windowCenter ?? (rescaled ? 0 : bitsAllocated === 8 ? 100 : 1274),
    WindowWidth: options.windowWidth ?? (bitsAllocated === 8 ? 200 : 2000),
    RescaleIntercept: rescaled ? (options.rescaleIntercept ?? -1024) : options.rescaleIntercept,
    RescaleSlope: rescaled ? (options.rescaleSlope ?? 1) : options.rescaleSlope,
    // PS3.3 C.11.1.1.2: 'HU' only for CT-like data; 'US' (unspecified) otherwise.
    RescaleType: rescaled ? (secondaryCapture ? 'US' : 'HU') : undefined,
    LossyImageCompression: '00',
    PixelData: [makePixelData(rows, columns, frames, bitsAllocated, instanceNumber)],
    _vrMap: { PixelData: bitsAllocated === 8 ? 'OB' : 'OW' },
  };
  if (frames > 1) {
    dataset.NumberOfFrames = frames;
    // PS3.3 C.7.6.6: frames of a cine loop, 40 ms apart.
    dataset.FrameTime = 40;
    dataset.FrameIncrementPointer = 0x00181063; // (0018,1063) FrameTime
  }
  // Modality-specific Type 1/2 attributes, so that dciodvfy finds CT, MR, CR
  // and SC files complete (other modalities carry the common modules only).
  if (secondaryCapture) {
    dataset.ConversionType = 'WSD'; // PS3.3 C.8.6.1: workstation
    if (frames > 1) {
      dataset.BurnedInAnnotation = 'NO';
      dataset.PresentationLUTShape = 'IDENTITY';
    }
  }
  if (modality === 'MR') {
    Object.assign(dataset, {
      ScanningSequence: 'SE',
      SequenceVariant: 'NONE',
      ScanOptions: '',
      MRAcquisitionType: '2D',
      RepetitionTime: 500,
      EchoTime: 20,
      EchoTrainLength: 1,
    });
  }
  if (modality === 'CR') dataset.ViewPosition = 'PA';
  if (options.otherPatientIds?.length) {
    dataset.OtherPatientIDsSequence = options.otherPatientIds.map((other) => ({
      PatientID: other.patientId,
      IssuerOfPatientID: other.issuerOfPatientId,
      TypeOfPatientID: 'TEXT',
    }));
  }
  const charset = charsetValues(options.specificCharacterSet);
  if (charset.length) dataset.SpecificCharacterSet = charset.length === 1 ? charset[0] : charset;
  Object.assign(dataset, options.attributes ?? {});
  for (const keyword of options.omit ?? []) delete dataset[keyword];
  for (const [keyword, value] of Object.entries(dataset)) if (value === undefined) delete dataset[keyword];

  const textIsNonAscii = Object.entries(dataset).some(([keyword, value]) => keyword !== 'PixelData' && hasNonAscii(value));
  if (textIsNonAscii) {
    if (!charset.length) dataset.SpecificCharacterSet = 'ISO_IR 192';
    else if (!charset.includes('ISO_IR 192')) {
      throw new Error(
        `makeInstance: non-ASCII text with SpecificCharacterSet ${charset.join('\\')}: dcmjs writes UTF-8 only; ` +
          `use fixture('latin1') (converted by DCMTK) or write ISO 2022 escape sequences (7-bit) yourself`,
      );
    }
  }
  return dataset;
}

const IMPLEMENTATION_CLASS_UID = makeUid('implementation');

/** Writes a naturalized dataset as a Part 10 file (preamble, DICM, file meta) in Explicit VR LE. */
export function writePart10(dataset: Record<string, unknown>): Buffer {
  const sopClassUid = dataset.SOPClassUID;
  const sopInstanceUid = dataset.SOPInstanceUID;
  const meta: Record<string, unknown> = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: typeof sopClassUid === 'string' ? sopClassUid : SOP_CLASS.SC,
    TransferSyntaxUID: TRANSFER_SYNTAX.EXPLICIT_LE,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'TELEPACS_FIX1',
  };
  // A file without a SOP Instance UID gets none in its meta either, so that
  // a reader cannot quietly fall back on (0002,0003).
  if (typeof sopInstanceUid === 'string') meta.MediaStorageSOPInstanceUID = sopInstanceUid;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

/** One DICOM Part 10 instance, Explicit VR Little Endian, deterministic for the same options. */
export function makeInstance(options: InstanceOptions = {}): Buffer {
  return writePart10(instanceDataset(options));
}

// ---------------------------------------------------------------------------
// makeStudy
// ---------------------------------------------------------------------------

export interface StudyOptions extends Omit<InstanceOptions, 'seriesInstanceUid' | 'sopInstanceUid' | 'seriesNumber' | 'instanceNumber'> {
  /** Number of series (numbered 1..n) */
  series: number;
  instancesPerSeries: number;
  /** Modality per series (index 0 = series 1); default options.modality for all */
  seriesModalities?: readonly string[];
}

/** The files of a study (series by series, instance by instance), with their UIDs. */
export type FixtureStudy = Buffer[] & {
  studyInstanceUid: string;
  /** seriesInstanceUids[i] is series i+1 */
  seriesInstanceUids: string[];
  /** sopInstanceUids[i][j] is instance j+1 of series i+1, in the same order as the files */
  sopInstanceUids: string[][];
};

export function makeStudy(options: StudyOptions): FixtureStudy {
  const { series, instancesPerSeries, seriesModalities, ...instanceOptions } = options;
  const files: Buffer[] = [];
  const seriesInstanceUids: string[] = [];
  const sopInstanceUids: string[][] = [];
  let studyInstanceUid = instanceOptions.studyInstanceUid ?? '';
  for (let s = 1; s <= series; s++) {
    const modality = seriesModalities?.[s - 1] ?? instanceOptions.modality;
    const seriesSops: string[] = [];
    for (let i = 1; i <= instancesPerSeries; i++) {
      const perInstance: InstanceOptions = {
        ...instanceOptions,
        modality,
        seriesNumber: s,
        instanceNumber: i,
        seriesDescription: `${instanceOptions.seriesDescription ?? 'Series'} ${s}`,
      };
      const uids = instanceUids(perInstance);
      studyInstanceUid = uids.studyInstanceUid;
      if (i === 1) seriesInstanceUids.push(uids.seriesInstanceUid);
      seriesSops.push(uids.sopInstanceUid);
      files.push(makeInstance(perInstance));
    }
    sopInstanceUids.push(seriesSops);
  }
  return Object.assign(files, { studyInstanceUid, seriesInstanceUids, sopInstanceUids });
}

// ---------------------------------------------------------------------------
// Named fixtures
// ---------------------------------------------------------------------------

export interface FixtureSpec {
  description: string;
  /** 'dcmtk': needs the DCMTK command line tools (Debian package dcmtk) */
  madeWith: 'dcmjs' | 'dcmtk';
  /** Transfer syntax in the file meta; absent for files that are not Part 10 */
  transferSyntaxUid?: string;
  /** Patient name as a UTF-8 string once decoded with the file's character set */
  patientName?: string;
  specificCharacterSet?: string;
  numberOfFrames: number;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  sopInstanceUid?: string;
  /** For malformed inputs: the ArchiveError code ingest should answer */
  expectedError?: ArchiveErrorCode;
}

/** PS3.5 H.3.1: "Yamada^Tarou=山田^太郎=やまだ^たろう" in ISO 2022 IR 87; JIS X 0208 is switched in by ESC $ B and out by ESC ( B. */
const JAPANESE_PN =
  'Yamada^Tarou=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B=\x1b$B$d$^$@\x1b(B^\x1b$B$?$m$&\x1b(B';

// No 'jpeg2000': DCMTK in Debian bookworm (3.6.7) has no JPEG 2000 encoder
// (that is the commercial DCMJP2K module), and a file made by our own codec
// stack would only show that we agree with ourselves.
const NAMES = [
  'explicit-le',
  'implicit-le',
  'big-endian',
  'deflate',
  'rle',
  'jpeg-baseline',
  'jpeg-lossless',
  'jpeg-lossless-sv1',
  'jpeg-ls',
  'multiframe',
  'multiframe-rle',
  'latin1',
  'utf8',
  'japanese',
  'truncated',
  'truncated-header',
  'not-dicom',
  'missing-uids',
  'no-preamble',
  'meta-no-preamble',
] as const;

export type FixtureName = (typeof NAMES)[number];
export const FIXTURE_NAMES: readonly FixtureName[] = NAMES;

/** makeInstance options of the DICOM source each fixture is made from. */
function sourceOptions(name: FixtureName): InstanceOptions {
  const common: InstanceOptions = {
    seed: `fixture|${name}`,
    patientId: 'TP-FIXTURE',
    patientName: 'Fixture^Transfer^Syntax',
    accessionNumber: `FX-${name}`.slice(0, 16),
    studyDescription: `Fixture ${name}`,
  };
  switch (name) {
    case 'jpeg-baseline':
      // JPEG baseline (process 1) encodes 8-bit samples only.
      return { ...common, modality: 'CR', bodyPartExamined: 'CHEST', bitsAllocated: 8 };
    case 'multiframe':
    case 'multiframe-rle':
      // Multi-frame grayscale word Secondary Capture: the classic CT/MR IODs
      // allow one frame only, and US allows 8-bit only.
      return { ...common, modality: 'OT', numberOfFrames: 4 };
    case 'latin1':
      // Written as UTF-8 by dcmjs, then converted to ISO 8859-1 by DCMTK.
      return {
        ...common,
        patientId: 'TP-LATIN1',
        patientName: 'Müller^Jürgen',
        studyDescription: 'Schädel nativ',
        referringPhysicianName: 'Größer^Änne',
        specificCharacterSet: 'ISO_IR 192',
      };
    case 'utf8':
      return {
        ...common,
        patientId: 'TP-UTF8',
        patientName: 'Иванов^Пётр',
        studyDescription: 'Tête — crâne',
        referringPhysicianName: 'Núñez^José',
        specificCharacterSet: 'ISO_IR 192',
      };
    case 'japanese':
      // ISO 2022 text is 7-bit, so dcmjs writes these bytes unchanged.
      // The first value is empty: ISO 2022 IR 6 (ASCII) is the default repertoire.
      return { ...common, patientId: 'TP-JAPANESE', patientName: JAPANESE_PN, specificCharacterSet: ['', 'ISO 2022 IR 87'] };
    case 'missing-uids':
      return { ...common, omit: ['SOPInstanceUID', 'StudyInstanceUID'] };
    default:
      return common;
  }
}

function specFor(name: FixtureName): FixtureSpec {
  const uids = instanceUids(sourceOptions(name));
  const dicom = {
    numberOfFrames: 1,
    patientName: 'Fixture^Transfer^Syntax',
    studyInstanceUid: uids.studyInstanceUid,
    seriesInstanceUid: uids.seriesInstanceUid,
    sopInstanceUid: uids.sopInstanceUid,
  };
  const T = TRANSFER_SYNTAX;
  switch (name) {
    case 'explicit-le':
      return { ...dicom, description: 'Explicit VR Little Endian, 64×64 16-bit CT', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE };
    case 'implicit-le':
      return { ...dicom, description: 'Implicit VR Little Endian (dcmconv +ti)', madeWith: 'dcmtk', transferSyntaxUid: T.IMPLICIT_LE };
    case 'big-endian':
      return { ...dicom, description: 'Explicit VR Big Endian, retired (dcmconv +tb)', madeWith: 'dcmtk', transferSyntaxUid: T.EXPLICIT_BE };
    case 'deflate':
      return { ...dicom, description: 'Deflated Explicit VR Little Endian (dcmconv +td)', madeWith: 'dcmtk', transferSyntaxUid: T.DEFLATED_LE };
    case 'rle':
      return { ...dicom, description: 'RLE Lossless (dcmcrle)', madeWith: 'dcmtk', transferSyntaxUid: T.RLE };
    case 'jpeg-baseline':
      return { ...dicom, description: 'JPEG Baseline, 8-bit CR (dcmcjpeg +eb)', madeWith: 'dcmtk', transferSyntaxUid: T.JPEG_BASELINE };
    case 'jpeg-lossless':
      return { ...dicom, description: 'JPEG Lossless process 14 (dcmcjpeg +el)', madeWith: 'dcmtk', transferSyntaxUid: T.JPEG_LOSSLESS };
    case 'jpeg-lossless-sv1':
      return { ...dicom, description: 'JPEG Lossless SV1 (dcmcjpeg +e1)', madeWith: 'dcmtk', transferSyntaxUid: T.JPEG_LOSSLESS_SV1 };
    case 'jpeg-ls':
      return { ...dicom, description: 'JPEG-LS Lossless (dcmcjpls)', madeWith: 'dcmtk', transferSyntaxUid: T.JPEG_LS_LOSSLESS };
    case 'multiframe':
      return { ...dicom, description: '4-frame 16-bit multi-frame SC, Explicit VR LE', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE, numberOfFrames: 4 };
    case 'multiframe-rle':
      return { ...dicom, description: '4-frame 16-bit multi-frame SC, RLE, one fragment per frame (dcmcrle)', madeWith: 'dcmtk', transferSyntaxUid: T.RLE, numberOfFrames: 4 };
    case 'latin1':
      return { ...dicom, description: 'ISO_IR 100 (Latin-1) names (dcmconv +L1)', madeWith: 'dcmtk', transferSyntaxUid: T.EXPLICIT_LE, patientName: 'Müller^Jürgen', specificCharacterSet: 'ISO_IR 100' };
    case 'utf8':
      return { ...dicom, description: 'ISO_IR 192 (UTF-8) names', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE, patientName: 'Иванов^Пётр', specificCharacterSet: 'ISO_IR 192' };
    case 'japanese':
      return { ...dicom, description: 'ISO 2022 IR 87 (PS3.5 H.3.1 example)', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE, patientName: 'Yamada^Tarou=山田^太郎=やまだ^たろう', specificCharacterSet: '\\ISO 2022 IR 87' };
    case 'truncated':
      return { ...dicom, description: 'explicit-le cut in the middle of the PixelData value (an interrupted transfer)', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE, expectedError: 'TRUNCATED' };
    case 'truncated-header':
      return { ...dicom, description: 'explicit-le cut in the middle of the PhotometricInterpretation value, after the UIDs', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE, expectedError: 'TRUNCATED' };
    case 'not-dicom':
      return { description: 'a 1×1 PNG image', madeWith: 'dcmjs', numberOfFrames: 0, expectedError: 'NOT_DICOM' };
    case 'missing-uids':
      return { ...dicom, description: 'no SOPInstanceUID (nor MediaStorageSOPInstanceUID) and no StudyInstanceUID', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE, studyInstanceUid: undefined, sopInstanceUid: undefined, expectedError: 'MISSING_UID' };
    case 'no-preamble':
      // Our decision: a bare dataset (no preamble, no File Meta group) is not
      // taken as DICOM, since its transfer syntax can only be guessed.
      return { ...dicom, description: 'a bare Explicit VR LE dataset: no preamble, no DICM, no File Meta group', madeWith: 'dcmjs', expectedError: 'NOT_DICOM' };
    case 'meta-no-preamble':
      return { ...dicom, description: 'File Meta group and dataset, but no 128-byte preamble and no DICM', madeWith: 'dcmjs', transferSyntaxUid: T.EXPLICIT_LE };
  }
}

export const FIXTURES: Readonly<Record<FixtureName, FixtureSpec>> = Object.fromEntries(
  NAMES.map((name) => [name, specFor(name)]),
) as Record<FixtureName, FixtureSpec>;

// A 1×1 grey PNG (signature, IHDR, IDAT, IEND).
const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==',
  'base64',
);

/** Offset of an explicit VR little endian element header (tag + VR) in a Part 10 file. */
function elementOffset(bytes: Buffer, group: number, element: number, vr: string): number {
  const pattern = Buffer.alloc(6);
  pattern.writeUInt16LE(group, 0);
  pattern.writeUInt16LE(element, 2);
  pattern.write(vr, 4, 'latin1');
  const offset = bytes.indexOf(pattern, 132);
  if (offset < 0) throw new Error(`fixture: element (${group.toString(16)},${element.toString(16)}) not found`);
  return offset;
}

/** Length of the preamble, DICM and File Meta group of a Part 10 file in explicit VR LE. */
function part10HeaderLength(bytes: Buffer): number {
  // (0002,0000) UL FileMetaInformationGroupLength is the first element after DICM.
  return 132 + 12 + bytes.readUInt32LE(140);
}

// ---------------------------------------------------------------------------
// DCMTK
// ---------------------------------------------------------------------------

let dcmtkChecked: boolean | undefined;

/** True when the DCMTK command line tools are on PATH. */
export function hasDcmtk(): boolean {
  dcmtkChecked ??= spawnSync('dcmconv', ['--version'], { stdio: 'ignore' }).error === undefined;
  return dcmtkChecked;
}

/**
 * For `it(name, { skip: fixtureSkipReason(...) })`: why a DCMTK fixture cannot
 * be made here, or undefined. Under CI nothing is skipped: .ci/run installs
 * DCMTK, so a missing tool there must fail the test, not hide it.
 */
export function fixtureSkipReason(name: FixtureName): string | undefined {
  if (FIXTURES[name].madeWith !== 'dcmtk' || hasDcmtk() || process.env.CI) return undefined;
  return `fixture '${name}' needs DCMTK (apt-get install -y dcmtk)`;
}

/** Runs a DCMTK tool; throws with its output if it fails. */
export function runDcmtk(tool: string, args: readonly string[]): string {
  // Nagle off for DCMTK network tools (DESIGN.md); harmless for file tools.
  const result = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, TCP_NODELAY: '1' }, maxBuffer: 64 << 20 });
  if (result.error) throw new Error(`${tool}: ${result.error.message} (is DCMTK installed? apt-get install -y dcmtk)`);
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${result.status}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Converts a Part 10 file with a DCMTK tool (in → out in a scratch directory). */
function convertWithDcmtk(source: Buffer, tool: string, args: readonly string[], scratchDir: string): Buffer {
  const input = path.join(scratchDir, 'in.dcm');
  const output = path.join(scratchDir, 'out.dcm');
  writeFileSync(input, source);
  runDcmtk(tool, [...args, input, output]);
  return readFileSync(output);
}

/** The Explicit VR LE file a named fixture is made from (to compare decoded pixels with). */
export function fixtureSource(name: FixtureName): Buffer {
  return makeInstance(sourceOptions(name));
}

function buildFixture(name: FixtureName, scratchDir: string): Buffer {
  const source = fixtureSource(name);
  switch (name) {
    case 'explicit-le':
    case 'multiframe':
    case 'utf8':
    case 'japanese':
    case 'missing-uids':
      return source;
    case 'implicit-le':
      return convertWithDcmtk(source, 'dcmconv', ['+ti'], scratchDir);
    case 'big-endian':
      return convertWithDcmtk(source, 'dcmconv', ['+tb'], scratchDir);
    case 'deflate':
      return convertWithDcmtk(source, 'dcmconv', ['+td'], scratchDir);
    case 'rle':
    case 'multiframe-rle':
      return convertWithDcmtk(source, 'dcmcrle', [], scratchDir);
    case 'jpeg-baseline':
      // +un keeps the SOP Instance UID: lossy compression should normally get a
      // new one, but tests need to know the UID in advance.
      return convertWithDcmtk(source, 'dcmcjpeg', ['+eb', '+un'], scratchDir);
    case 'jpeg-lossless':
      return convertWithDcmtk(source, 'dcmcjpeg', ['+el'], scratchDir);
    case 'jpeg-lossless-sv1':
      return convertWithDcmtk(source, 'dcmcjpeg', ['+e1'], scratchDir);
    case 'jpeg-ls':
      return convertWithDcmtk(source, 'dcmcjpls', ['+el'], scratchDir);
    case 'latin1':
      return convertWithDcmtk(source, 'dcmconv', ['+L1'], scratchDir);
    case 'truncated': {
      const pixelData = elementOffset(source, 0x7fe0, 0x0010, 'OW');
      const valueLength = source.readUInt32LE(pixelData + 8);
      return Buffer.from(source.subarray(0, pixelData + 12 + Math.floor(valueLength / 2)));
    }
    case 'truncated-header': {
      const photometric = elementOffset(source, 0x0028, 0x0004, 'CS');
      const valueLength = source.readUInt16LE(photometric + 6);
      return Buffer.from(source.subarray(0, photometric + 8 + Math.floor(valueLength / 2)));
    }
    case 'not-dicom':
      return PNG_1X1;
    case 'no-preamble':
      return Buffer.from(source.subarray(part10HeaderLength(source)));
    case 'meta-no-preamble':
      return Buffer.from(source.subarray(132));
  }
}

// The cache key is a hash of this file, so changing how a fixture is made
// can never serve a stale one from an earlier run.
const FIXTURES_VERSION = (() => {
  const source = readFileSync(fileURLToPath(import.meta.url));
  return createHash('sha1').update(source).digest('hex').slice(0, 12);
})();

/** Where the named fixtures are cached: os.tmpdir()/telepacs-fixtures-<version>. */
export const FIXTURE_DIR = path.join(tmpdir(), `telepacs-fixtures-${FIXTURES_VERSION}`);

/** Path of a named fixture file, made on first use (DCMTK fixtures need DCMTK: see fixtureSkipReason). */
export function fixturePath(name: FixtureName): string {
  const file = path.join(FIXTURE_DIR, `${name}.${name === 'not-dicom' ? 'png' : 'dcm'}`);
  if (existsSync(file)) return file;
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const scratchDir = mkdtempSync(path.join(FIXTURE_DIR, `.make-${name}-`));
  try {
    const bytes = buildFixture(name, scratchDir);
    // Write then rename: a test file running beside (or a bench) never reads half a fixture.
    const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, bytes);
    renameSync(temporary, file);
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  return file;
}

/** The bytes of a named fixture (see FIXTURES for what each one is and what to expect). */
export function fixture(name: FixtureName): Buffer {
  return readFileSync(fixturePath(name));
}
