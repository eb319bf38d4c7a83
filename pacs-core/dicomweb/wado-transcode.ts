// Transfer syntax conversion for WADO (PS3.18 8.7.3.5): what we can produce
// from what is stored. We only ever *decode* (to Implicit/Explicit VR Little
// Endian); we never re-encode to a compressed syntax: a lossy re-encode
// would degrade a diagnostic image without the client asking for "lossy",
// and the stored syntax is always offered as an alternative.
import dcmjs from 'dcmjs';
import { ArchiveError } from '../errors';
import { firstNumber, firstString, type DicomJsonDataset } from '../dicom/dicom-json';
import { loadCodecs, toArrayBuffer } from '../dicom/render-codecs';
import { TS } from '../dicom/transfer-syntax';

export { TS };

/** Native syntaxes a file can be re-encoded into. */
const NATIVE_TARGETS = new Set<string>([TS.IMPLICIT_LE, TS.EXPLICIT_LE]);

type DecodeFunction = 'decodeRle' | 'decodeJpeg' | 'decodeJpegLs' | 'decodeJpeg2000' | 'decodeHtJpeg2000' | 'decodeJpegXl';

/**
 * Stored syntaxes dcmjs-codecs 0.0.8 can decode, with the frame decoder to use.
 * JPEG Extended (.51) and JPEG Lossless Process 14 (.57) are absent: the
 * library does not list them and a wrong decode of a diagnostic image is worse
 * than a 406 that names the stored syntax.
 */
const FRAME_DECODERS: Record<string, DecodeFunction> = {
  '1.2.840.10008.1.2.5': 'decodeRle',
  '1.2.840.10008.1.2.4.50': 'decodeJpeg',
  '1.2.840.10008.1.2.4.70': 'decodeJpeg',
  '1.2.840.10008.1.2.4.80': 'decodeJpegLs',
  '1.2.840.10008.1.2.4.81': 'decodeJpegLs',
  '1.2.840.10008.1.2.4.90': 'decodeJpeg2000',
  '1.2.840.10008.1.2.4.91': 'decodeJpeg2000',
  '1.2.840.10008.1.2.4.110': 'decodeJpegXl',
  '1.2.840.10008.1.2.4.112': 'decodeJpegXl',
  '1.2.840.10008.1.2.4.201': 'decodeHtJpeg2000',
  '1.2.840.10008.1.2.4.202': 'decodeHtJpeg2000',
  '1.2.840.10008.1.2.4.203': 'decodeHtJpeg2000',
};

/** Native syntaxes the dcmjs reader understands as input to a re-encode. */
const NATIVE_SOURCES = new Set<string>([TS.IMPLICIT_LE, TS.EXPLICIT_LE, TS.EXPLICIT_BE]);

export function canDecodeFrames(storedTs: string): boolean {
  return storedTs in FRAME_DECODERS;
}

/** Whether a whole stored file can be served in `targetTs`. */
export function canTranscodeFile(storedTs: string, targetTs: string): boolean {
  if (storedTs === targetTs) return true;
  return NATIVE_TARGETS.has(targetTs) && (NATIVE_SOURCES.has(storedTs) || canDecodeFrames(storedTs));
}

/** Re-encodes a Part 10 file into a native transfer syntax (decoding compressed pixel data). */
export async function transcodeFile(bytes: Buffer, storedTs: string, targetTs: string): Promise<Buffer> {
  if (storedTs === targetTs) return bytes;
  if (!canTranscodeFile(storedTs, targetTs)) {
    throw new ArchiveError('NOT_ACCEPTABLE', `cannot convert ${storedTs} to ${targetTs}`);
  }
  const { Transcoder } = await loadCodecs();
  const transcoder = new Transcoder(toArrayBuffer(bytes));
  transcoder.transcode(targetTs);
  return Buffer.from(transcoder.getDicomPart10());
}

/** What a frame decoder must know about the pixels (PS3.3 C.7.6.3 Image Pixel Module). */
export interface PixelDescription {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  samplesPerPixel: number;
  pixelRepresentation: number;
  planarConfiguration: number;
  photometricInterpretation: string;
}

export function describePixels(metadata: DicomJsonDataset): PixelDescription | null {
  const rows = firstNumber(metadata, '00280010');
  const columns = firstNumber(metadata, '00280011');
  const bitsAllocated = firstNumber(metadata, '00280100');
  if (!rows || !columns || !bitsAllocated) return null;
  return {
    rows,
    columns,
    bitsAllocated,
    bitsStored: firstNumber(metadata, '00280101') ?? bitsAllocated,
    samplesPerPixel: firstNumber(metadata, '00280002') ?? 1,
    pixelRepresentation: firstNumber(metadata, '00280103') ?? 0,
    planarConfiguration: firstNumber(metadata, '00280006') ?? 0,
    photometricInterpretation: firstString(metadata, '00280004') || 'MONOCHROME2',
  };
}

/**
 * Decodes one compressed frame to native little-endian pixels (what
 * `application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1` means,
 * PS3.18 8.7.3.5.2). JPEG colour frames come back as RGB.
 */
export async function decodeFrame(frame: Buffer, storedTs: string, pixels: PixelDescription): Promise<Buffer> {
  const decoder = FRAME_DECODERS[storedTs];
  if (!decoder) throw new ArchiveError('NOT_ACCEPTABLE', `frames stored in ${storedTs} cannot be decompressed here`);
  const { Context, NativeCodecs } = await loadCodecs();
  const context = new Context({
    width: pixels.columns,
    height: pixels.rows,
    bitsAllocated: pixels.bitsAllocated,
    bitsStored: pixels.bitsStored,
    samplesPerPixel: pixels.samplesPerPixel,
    pixelRepresentation: pixels.pixelRepresentation,
    planarConfiguration: pixels.planarConfiguration,
    photometricInterpretation: pixels.photometricInterpretation,
    encodedBuffer: new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength),
  });
  const decoded =
    decoder === 'decodeJpeg'
      ? NativeCodecs.decodeJpeg(context, { convertColorspaceToRgb: true })
      : NativeCodecs[decoder](context, {});
  const out = decoded.getDecodedBuffer();
  if (!out || out.byteLength === 0) throw new ArchiveError('INTERNAL', `decoding a ${storedTs} frame produced no pixels`);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Bytes of one native frame (PS3.5 8.1.1); bit-packed 1-bit frames are not byte aligned. */
export function nativeFrameSize(pixels: PixelDescription): number | null {
  const bits = pixels.rows * pixels.columns * pixels.samplesPerPixel * pixels.bitsAllocated;
  return bits % 8 === 0 ? bits / 8 : null;
}

/**
 * Fallback for files whose frames could not be indexed at ingest (deflated
 * datasets, big-endian 16-bit data): re-encode the whole file to Explicit VR
 * Little Endian and cut the frames out of the native Pixel Data.
 */
export async function framesFromWholeFile(bytes: Buffer, storedTs: string, pixels: PixelDescription): Promise<Buffer[]> {
  const native = storedTs === TS.EXPLICIT_LE || storedTs === TS.IMPLICIT_LE ? bytes : await transcodeFile(bytes, storedTs, TS.EXPLICIT_LE);
  const frameSize = nativeFrameSize(pixels);
  if (frameSize === null) throw new ArchiveError('NOT_ACCEPTABLE', 'bit-packed (1-bit) frames are only served inside the whole instance');
  const dict = dcmjs.data.DicomMessage.readFile(toArrayBuffer(native)).dict;
  const value = dict['7FE00010']?.Value;
  const parts = Array.isArray(value) ? value : [value];
  const pixelData = Buffer.concat(
    parts.filter((p): p is ArrayBuffer => p instanceof ArrayBuffer).map((p) => Buffer.from(p)),
  );
  const frames: Buffer[] = [];
  for (let offset = 0; offset + frameSize <= pixelData.length; offset += frameSize) frames.push(pixelData.subarray(offset, offset + frameSize));
  return frames;
}
