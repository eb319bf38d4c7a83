// Builds the naturalized dataset dcmjs-imaging renders from.
//
// Preferred: the header from the database (Instance.metadata, DICOM JSON) plus
// only the frame's bytes (a byte range of the stored file) — rendering frame 1
// of a 2 GB cine loop must not read 2 GB. Fallback: parse the whole file, when
// rendering needs bulk data the header row does not carry (palette colour LUTs)
// or when the frames were not indexed at ingest.
import dcmjs from 'dcmjs';
import type { DcmjsDict } from 'dcmjs';
import type { DicomJsonDataset } from './dicom-json';
import { toArrayBuffer } from './render-codecs';

/**
 * Naturalized header + the given frames as PixelData, or null when the header
 * row lacks data the rendering needs (then use elementsFromFile).
 */
export function elementsFromMetadata(metadata: DicomJsonDataset, frames: Buffer[]): Record<string, unknown> | null {
  const photometric = metadata['00280004']?.Value?.[0];
  // PS3.3 C.7.6.3.1.2: PALETTE COLOR needs the LUT data, which is bulk data (> 1 KiB) in the row.
  if (typeof photometric === 'string' && photometric.trim() === 'PALETTE COLOR') return null;
  const header: DcmjsDict = {};
  for (const [tag, element] of Object.entries(metadata)) {
    // Binary values (bulk or inline) are not needed to render a grey or RGB frame.
    if (element.BulkDataURI !== undefined || element.InlineBinary !== undefined) continue;
    header[tag] = { vr: element.vr, Value: element.Value };
  }
  const elements = dcmjs.data.DicomMetaDictionary.naturalizeDataset(header);
  elements.PixelData = frames.map((frame) => toArrayBuffer(frame));
  elements.NumberOfFrames = frames.length;
  return elements;
}

/** The whole stored file, parsed (all frames). */
export function elementsFromFile(bytes: Buffer): { elements: Record<string, unknown>; transferSyntaxUid: string } {
  const file = dcmjs.data.DicomMessage.readFile(toArrayBuffer(bytes));
  const elements = dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.dict);
  const meta = dcmjs.data.DicomMetaDictionary.naturalizeDataset(file.meta);
  return { elements, transferSyntaxUid: String(meta.TransferSyntaxUID ?? '1.2.840.10008.1.2') };
}
