// A picture someone attached (a photographed referral letter, a screenshot of
// lab results) as a DICOM Secondary Capture Image (PS3.3 A.8.1), filed into
// the study it belongs to, so any PACS or viewer that lists the study shows
// it beside the images. The sibling of encapsulated-pdf.ts, with the same
// shared header (sr/document-file.ts).
//
// Modules, in PS3.3 order: Patient (C.7.1.1) and General Study (C.7.2.1)
// copied from the index, General Series (C.7.3.1), General Equipment
// (C.7.5.1), SC Equipment (C.8.6.1), General Image (C.7.6.1), Image Pixel
// (C.7.6.3), SC Image (C.8.6.2), SOP Common (C.12.1). Pixels uncompressed, 8-bit
// RGB, pixel-interleaved, in Explicit VR Little Endian: every reader reads it.
import { ArchiveError } from '../../errors';
import { dicomDateTime, documentHeader, writeDocumentFile, type DocumentIdentity } from '../sr/document-file';

export const SECONDARY_CAPTURE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.7';

export interface SecondaryCaptureInput extends DocumentIdentity {
  rows: number;
  columns: number;
  /** rows × columns × 3 bytes: R, G, B of each pixel in turn, row by row (PlanarConfiguration 0) */
  rgb: Uint8Array;
  /** General Series Modality; default OT */
  modality?: string;
  /** ImageComments (LT): what the picture is, e.g. the file name it came as */
  comments?: string;
  /** DerivationDescription (ST): how it was made, e.g. "Converted from image/png" */
  derivation?: string;
  /** The source was lossy-compressed (a JPEG): LossyImageCompression 01 with this method (e.g. ISO_10918_1) */
  lossyMethod?: string;
}

/** Builds the Secondary Capture Image and writes it as a Part 10 file in Explicit VR Little Endian. */
export function buildSecondaryCapture(input: SecondaryCaptureInput): Uint8Array {
  const { rows, columns, rgb } = input;
  if (!(Number.isInteger(rows) && Number.isInteger(columns) && rows > 0 && columns > 0 && rows <= 0xffff && columns <= 0xffff)) {
    throw new ArchiveError('BAD_REQUEST', `a secondary capture image of ${columns}×${rows} pixels cannot be written (Rows and Columns are US)`);
  }
  if (rgb.length !== rows * columns * 3) throw new ArchiveError('BAD_REQUEST', `the pixels are ${rgb.length} bytes, not ${rows}×${columns}×3`);
  // PS3.5 7.1: every value has an even length (OB is padded with a zero byte)
  const pixels = new Uint8Array(rgb.length + (rgb.length % 2));
  pixels.set(rgb);
  const captured = dicomDateTime(input.createdAt);
  const dataset: Record<string, unknown> = {
    // SOP Common, General Series, General Equipment, InstanceNumber and ContentDate/Time of General Image
    ...documentHeader(input, SECONDARY_CAPTURE_SOP_CLASS, input.modality ?? 'OT'),
    // General Series (C.7.3.1): Laterality is Type 2C, written empty (a document has no side; dciodvfy wants it present)
    Laterality: '',
    // SC Equipment (C.8.6.1): made on a workstation from a file
    ConversionType: 'WSD',
    // General Image (C.7.6.1): PatientOrientation is Type 2C, required (empty) for an image without a plane
    PatientOrientation: '',
    ImageType: ['DERIVED', 'SECONDARY'],
    ...(input.derivation ? { DerivationDescription: input.derivation.slice(0, 1024) } : {}),
    ...(input.comments ? { ImageComments: input.comments.slice(0, 10240) } : {}),
    // A document's names and dates are in its pixels
    BurnedInAnnotation: 'YES',
    ...(input.lossyMethod ? { LossyImageCompression: '01', LossyImageCompressionMethod: input.lossyMethod } : { LossyImageCompression: '00' }),
    // Image Pixel (C.7.6.3)
    SamplesPerPixel: 3,
    PhotometricInterpretation: 'RGB',
    PlanarConfiguration: 0,
    Rows: rows,
    Columns: columns,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OB' },
    // SC Image (C.8.6.2)
    DateOfSecondaryCapture: captured.date,
    TimeOfSecondaryCapture: captured.time,
  };
  return writeDocumentFile(dataset, input.patientStudy);
}
