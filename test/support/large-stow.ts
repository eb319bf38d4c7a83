// One very large native multi-frame instance, generated as a stream (a
// STOW-RS body, or a file for storescu): the test process never holds more
// than one frame of it.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { instanceDataset, instanceUids, writePart10 } from './fixtures';

const MULTIFRAME_WORD_SC = '1.2.840.10008.5.1.4.1.1.7.3';

export interface LargeInstance {
  /** Everything before Pixel Data's value */
  header: Buffer;
  frames: number;
  frameBytes: number;
  /** The whole file's size */
  size: number;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

/** Frame k is filled with this byte, so a retrieved frame shows where it was cut from. */
export function frameFill(frame: number): number {
  return (frame * 7 + 1) % 256;
}

/** A header for `frames` frames of rows×columns 16-bit pixels; Pixel Data (OW) follows it. */
export function largeInstance(options: {
  seed: string;
  patientId: string;
  frames: number;
  rows?: number;
  columns?: number;
  /** Changes the Part 10 file (Pixel Data still empty and last) before Pixel Data's length is set: a malformed header */
  editHeader?: (file: Buffer) => Buffer;
}): LargeInstance {
  const rows = options.rows ?? 512;
  const columns = options.columns ?? 512;
  const common = { seed: options.seed, patientId: options.patientId, rows, columns, sopClassUid: MULTIFRAME_WORD_SC };
  const dataset = instanceDataset({ ...common, numberOfFrames: 1 });
  dataset.NumberOfFrames = options.frames;
  dataset.PixelData = [new ArrayBuffer(0)];
  const written = writePart10(dataset);
  const header = options.editHeader ? options.editHeader(written) : written;
  // Pixel Data is the last element, written empty: tag, "OW", 2 reserved bytes, a 4-byte length
  const at = header.length - 12;
  if (header.readUInt32LE(at) !== 0x00107fe0 || header.toString('latin1', at + 4, at + 6) !== 'OW') throw new Error('Pixel Data is not last');
  const frameBytes = rows * columns * 2;
  header.writeUInt32LE(frameBytes * options.frames, header.length - 4);
  const uids = instanceUids(common);
  return { header, frames: options.frames, frameBytes, size: header.length + frameBytes * options.frames, ...uids };
}

/** The instance's frames, made one at a time. */
function* frameChunks(instance: LargeInstance): Generator<Buffer> {
  for (let frame = 0; frame < instance.frames; frame++) yield Buffer.alloc(instance.frameBytes, frameFill(frame));
}

/** Writes the instance as a Part 10 file (for storescu). */
export async function writeLargeInstanceFile(instance: LargeInstance, file: string): Promise<void> {
  async function* chunks() {
    yield instance.header;
    yield* frameChunks(instance);
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), createWriteStream(file));
}

export const LARGE_BOUNDARY = 'telepacs-large-boundary';
export const LARGE_CONTENT_TYPE = `multipart/related; type="application/dicom"; boundary=${LARGE_BOUNDARY}`;

/** The multipart body: its part headers, the instance (frames made one at a time), the closing delimiter. */
export function largeStowBody(instance: LargeInstance): { stream: Readable; length: number } {
  const opening = Buffer.from(`--${LARGE_BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`);
  const closing = Buffer.from(`\r\n--${LARGE_BOUNDARY}--\r\n`);
  async function* chunks() {
    yield opening;
    yield instance.header;
    yield* frameChunks(instance);
    yield closing;
  }
  return { stream: Readable.from(chunks(), { objectMode: false }), length: opening.length + instance.size + closing.length };
}
