// Parses a received DICOM Part 10 file at ingest: validates its structure,
// finds where each frame's bytes are, and converts the header (everything
// before PixelData) to DICOM JSON. Pixel data is never decoded here.
//
// dicom-parser walks the whole file without copying (it records offsets, also
// of encapsulated fragments); dcmjs decodes the header values, with the
// character set (SpecificCharacterSet) and the VR dictionary for implicit VR.
// Both passes stay: per 512×512 CT image dicom-parser takes 0.03–0.05 ms and
// gives the precise errors (TRUNCATED, NOT_DICOM, UNSUPPORTED), dcmjs 0.34–0.41
// ms and the decoded values, the DICOM JSON conversion 0.07 ms. Dropping
// dicom-parser would save ~0.05 of ~6 ms per ingest; dropping dcmjs would mean
// re-implementing its value decoding (bench/README.md, header parse).
import { inflateRawSync } from 'node:zlib';
import dicomParser from 'dicom-parser';
import dcmjs from 'dcmjs';
import { ArchiveError } from '../errors';
// Sequence items decoded with the dataset's character set (a dcmjs fix, see the file)
import './dcmjs-sequence-charset';
import { BASE_URL_PLACEHOLDER, dcmjsDictToDicomJson, firstNumber, firstString, type DicomJsonDataset } from './dicom-json';
import { SUPPORTED_TRANSFER_SYNTAXES, TS } from './transfer-syntax';
import { KEY_UIDS, checkElementEncoding, checkNestingDepth, checkTextValues, readUid, type KeyUidTag } from './check-encoding';

/** Byte range [offset, length] in the stored file. */
export type ByteRange = [number, number];

export interface ParsedInstance {
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
  numberOfFrames: number;
  /**
   * Per frame, the byte ranges of the stored file that hold it. Empty when the
   * frames cannot be cut out of the file directly (deflated datasets, big
   * endian 16-bit data that needs swapping, no pixel data): WADO then decodes.
   */
  frameIndex: ByteRange[][];
  /** The whole header as DICOM JSON; bulk data as BulkDataURI with BASE_URL_PLACEHOLDER */
  dataset: DicomJsonDataset;
}

/** A deflated dataset inflates to at most this: a few KB must not become gigabytes in memory (a "deflate bomb"). */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/**
 * PS3.5 A.5: everything after the File Meta group is raw-deflated.
 * dicom-parser (1.8.21) parses the array an inflater returns from offset 0,
 * not from the end of the File Meta group: it read the preamble and the
 * meta again as dataset elements (junk, or a parse error for a preamble
 * that is not zeros). So the inflated array starts with one stand-in OB
 * element spanning preamble and meta, which the caller removes; the meta
 * elements themselves come from dicom-parser's own first pass.
 */
function inflateDataset(array: Uint8Array, position: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(array.subarray(position), { maxOutputLength: MAX_INFLATED_BYTES });
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
    throw tooLarge
      ? new ArchiveError('PAYLOAD_TOO_LARGE', `the deflated dataset inflates to more than ${MAX_INFLATED_BYTES} bytes`)
      : new ArchiveError('MALFORMED', `the deflated dataset cannot be inflated (PS3.5 A.5): ${(error as Error).message}`);
  }
  const full = Buffer.allocUnsafe(position + inflated.length);
  full.set(array.subarray(0, position), 0);
  full.set(inflated, position);
  // (0000,0000) OB, reserved, length = the rest of the preamble and meta
  full.writeUInt32LE(0, 0);
  full.write('OB', 4, 'latin1');
  full.writeUInt16LE(0, 6);
  full.writeUInt32LE(position - 12, 8);
  return full;
}

/** Collapses thrown strings/errors of dicom-parser into one message */
function parserMessage(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'exception' in error) return String((error as { exception: unknown }).exception);
  return error instanceof Error ? error.message : String(error);
}

export function parseInstance(bytes: Buffer): ParsedInstance {
  checkPreamble(bytes);
  const byteArray = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parsed = parseDataSet(byteArray, { inflater: inflateDataset } as dicomParser.ParseDicomOptions);
  // The stand-in header inflateDataset put over the preamble and File Meta
  delete parsed.elements.x00000000;
  const { transferSyntaxUid, encapsulated, uids } = checkTransferSyntaxAndUids(parsed);

  // dcmjs reads no further than the PixelData tag (untilTag), so it gets only
  // the bytes up to there: copying the whole file into a fresh ArrayBuffer
  // for it cost ~0.1 ms per 512 KB image. Deflated offsets are in the
  // inflated stream, so such files are handed over whole.
  const pixelData = parsed.elements.x7fe00010;
  const headerEnd = pixelData && transferSyntaxUid !== TS.DEFLATED_LE ? pixelData.dataOffset : bytes.length;
  const dataset = parseHeaderToJson(bytes.subarray(0, headerEnd), uids);
  const numberOfFrames = Math.max(1, firstNumber(dataset, '00280008') ?? 1);
  const frameIndex = indexFrames(parsed, transferSyntaxUid, encapsulated, numberOfFrames, dataset);
  return { transferSyntaxUid, ...uids, numberOfFrames, frameIndex, dataset };
}

export function checkPreamble(bytes: Buffer): void {
  if (bytes.length < 132 || bytes.toString('latin1', 128, 132) !== 'DICM') {
    throw new ArchiveError('NOT_DICOM', "not a DICOM Part 10 file: no 'DICM' prefix after the 128-byte preamble (PS3.10 7.1)");
  }
}

/** dicom-parser's walk, its thrown strings turned into precise ArchiveErrors. */
export function parseDataSet(byteArray: Uint8Array, options: dicomParser.ParseDicomOptions): dicomParser.DataSet {
  checkNestingDepth(byteArray);
  try {
    return dicomParser.parseDicom(byteArray, options);
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    const message = parserMessage(error);
    if (/past end|overrun|overread|eof|end of buffer|beyond|truncat/i.test(message)) {
      throw new ArchiveError('TRUNCATED', `the file ends before its data does (truncated): ${message}`);
    }
    if (/transfer syntax/i.test(message)) throw new ArchiveError('UNSUPPORTED', message);
    throw new ArchiveError('NOT_DICOM', `cannot parse the DICOM data: ${message}`);
  }
}

export type InstanceUids = Pick<ParsedInstance, 'studyInstanceUid' | 'seriesInstanceUid' | 'sopInstanceUid' | 'sopClassUid'>;

/**
 * The transfer syntax and the key UIDs, every UID read from its bytes
 * (dicom-parser's string() stops at a NUL), and the encoding of every element
 * (check-encoding.ts): the checks both the whole-file and the head parse need.
 */
export function checkTransferSyntaxAndUids(parsed: dicomParser.DataSet): { transferSyntaxUid: string; encapsulated: boolean; uids: InstanceUids } {
  const transferSyntaxUid = readUid(parsed, 'x00020010');
  if (!transferSyntaxUid) throw new ArchiveError('NOT_DICOM', 'the File Meta Information has no Transfer Syntax UID (0002,0010)');
  const tsInfo = SUPPORTED_TRANSFER_SYNTAXES[transferSyntaxUid];
  if (!tsInfo) throw new ArchiveError('UNSUPPORTED', `transfer syntax ${transferSyntaxUid} is not supported`);
  readUid(parsed, 'x00020003');
  const uids = {
    studyInstanceUid: readUid(parsed, 'x0020000d'),
    seriesInstanceUid: readUid(parsed, 'x0020000e'),
    sopInstanceUid: readUid(parsed, 'x00080018'),
    sopClassUid: readUid(parsed, 'x00080016') || readUid(parsed, 'x00020002'),
  };
  const tags = { studyInstanceUid: 'x0020000d', seriesInstanceUid: 'x0020000e', sopInstanceUid: 'x00080018', sopClassUid: 'x00080016' } as const;
  for (const key of Object.keys(tags) as (keyof typeof tags)[]) {
    if (!uids[key]) throw new ArchiveError('MISSING_UID', `missing ${KEY_UIDS[tags[key]].name}`);
  }
  checkElementEncoding(parsed, tsInfo.encapsulated, transferSyntaxUid !== TS.IMPLICIT_LE);
  return { transferSyntaxUid, encapsulated: tsInfo.encapsulated, uids };
}

export function parseHeaderToJson(
  bytes: Buffer,
  uids: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string },
): DicomJsonDataset {
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  let message: { dict: Record<string, { vr?: string; Value?: unknown }>; meta: Record<string, { vr?: string; Value?: unknown }> };
  try {
    message = dcmjs.data.DicomMessage.readFile(arrayBuffer as ArrayBuffer, {
      untilTag: '7FE00010',
      includeUntilTagValue: false,
      ignoreErrors: true,
    });
  } catch (error) {
    throw new ArchiveError('NOT_DICOM', `cannot decode the DICOM header: ${(error as Error).message}`);
  }
  const bulkBase = `${BASE_URL_PLACEHOLDER}/studies/${uids.studyInstanceUid}/series/${uids.seriesInstanceUid}/instances/${uids.sopInstanceUid}/bulkdata`;
  const dataset = dcmjsDictToDicomJson(message.dict, bulkBase);
  // The transfer syntax is kept in the metadata: viewers use it to decode frames.
  const ts = message.meta['00020010'];
  if (ts?.vr) dataset['00020010'] = { vr: 'UI', Value: ts.Value as unknown[] };
  // No NUL inside a text value of a standard attribute (check-encoding.ts)
  checkTextValues(dataset);
  return dataset;
}

export function indexFrames(
  parsed: dicomParser.DataSet,
  transferSyntaxUid: string,
  encapsulated: boolean,
  numberOfFrames: number,
  dataset: DicomJsonDataset,
): ByteRange[][] {
  const pixelData = parsed.elements.x7fe00010;
  if (!pixelData) return [];
  const bulkBase = `${BASE_URL_PLACEHOLDER}/studies/${firstString(dataset, '0020000D')}/series/${firstString(dataset, '0020000E')}/instances/${firstString(dataset, '00080018')}/bulkdata`;
  const bitsAllocated = firstNumber(dataset, '00280100') ?? 16;
  dataset['7FE00010'] = { vr: encapsulated || bitsAllocated <= 8 ? 'OB' : 'OW', BulkDataURI: `${bulkBase}/7FE00010` };
  if (transferSyntaxUid === TS.DEFLATED_LE) return []; // offsets are in the inflated stream, not the file

  if (!encapsulated) {
    // Big endian words must be swapped before serving: no direct byte ranges
    if (transferSyntaxUid === TS.EXPLICIT_BE && bitsAllocated > 8) return [];
    const rows = firstNumber(dataset, '00280010') ?? 0;
    const columns = firstNumber(dataset, '00280011') ?? 0;
    const samples = firstNumber(dataset, '00280002') ?? 1;
    const frameBits = rows * columns * samples * bitsAllocated;
    if (frameBits === 0 || frameBits % 8 !== 0) return []; // 1-bit frames are not byte aligned
    const frameSize = frameBits / 8;
    if (frameSize * numberOfFrames > pixelData.length) {
      throw new ArchiveError(
        'TRUNCATED',
        `Pixel Data holds ${pixelData.length} bytes but ${numberOfFrames} frame(s) of ${rows}x${columns}x${samples}x${bitsAllocated} bits need ${frameSize * numberOfFrames}`,
      );
    }
    return Array.from({ length: numberOfFrames }, (_, i) => [[pixelData.dataOffset + i * frameSize, frameSize]]);
  }

  const fragments = pixelData.fragments ?? [];
  if (fragments.length === 0) throw new ArchiveError('NOT_DICOM', 'encapsulated Pixel Data has no fragments');
  const ranges: ByteRange[] = fragments.map((f) => [f.position, f.length]);
  if (numberOfFrames === 1) return [ranges];
  let offsets = pixelData.basicOffsetTable ?? [];
  if (offsets.length !== numberOfFrames) {
    if (fragments.length === numberOfFrames) return ranges.map((range) => [range]);
    // No usable Basic Offset Table: find frame starts by JPEG SOI/EOI markers
    try {
      offsets = dicomParser.createJPEGBasicOffsetTable(parsed, pixelData);
    } catch {
      offsets = [];
    }
    if (offsets.length !== numberOfFrames) {
      throw new ArchiveError(
        'UNSUPPORTED',
        `cannot locate ${numberOfFrames} frames in ${fragments.length} fragments without a Basic Offset Table`,
      );
    }
  }
  // Fragment.offset is relative to the first fragment's item tag, as are BOT values (PS3.5 A.4)
  return offsets.map((start, i) => {
    const end = i + 1 < offsets.length ? offsets[i + 1] : Number.POSITIVE_INFINITY;
    return fragments.filter((f) => f.offset >= start && f.offset < end).map((f): ByteRange => [f.position, f.length]);
  });
}

/**
 * Best effort: the SOP Class/Instance UIDs of a file that failed to ingest, so
 * a STOW-RS FailedSOPSequence item can name it. Never throws.
 */
export function peekUids(bytes: Buffer): { sopClassUid?: string; sopInstanceUid?: string } {
  let dataSet: dicomParser.DataSet;
  try {
    const byteArray = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    dataSet = dicomParser.parseDicom(byteArray, { untilTag: 'x00080018' } as dicomParser.ParseDicomOptions);
  } catch {
    return {};
  }
  // From the bytes, as ingest reads them: a UID it refused is not named at all, never named cut short
  const uid = (...tags: KeyUidTag[]) => {
    for (const tag of tags) {
      try {
        const value = readUid(dataSet, tag);
        if (value) return value;
      } catch {
        return undefined;
      }
    }
    return undefined;
  };
  const sopClassUid = uid('x00080016', 'x00020002');
  const sopInstanceUid = uid('x00080018', 'x00020003');
  return { ...(sopClassUid ? { sopClassUid } : {}), ...(sopInstanceUid ? { sopInstanceUid } : {}) };
}
