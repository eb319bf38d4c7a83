// Parses an instance too large to hold in memory (a STOW-RS part or C-STORE
// dataset above the in-memory limit, already on disk in the store's incoming
// area: instance-receiver.ts) from its first bytes: everything before Pixel
// Data must be among them. The frames'
// byte ranges come from Pixel Data's own length (native) or from a walk over
// its item headers in the file (encapsulated, PS3.5 A.4), reading 64 KiB
// windows at the item tags, never the pixels themselves.
import type dicomParser from 'dicom-parser';
import { ArchiveError, isArchiveError } from '../errors';
import { firstNumber } from './dicom-json';
import {
  checkPreamble,
  checkTransferSyntaxAndUids,
  indexFrames,
  parseDataSet,
  parseHeaderToJson,
  type ParsedInstance,
} from './parse-instance';
import { TS } from './transfer-syntax';

/** Reads [position, position + length) of the file (fewer bytes only at its end). */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

const WINDOW_BYTES = 64 * 1024;
/** Above this, a fragment list would itself take hundreds of MB (and its frame index the database row) */
const MAX_FRAGMENTS = 200_000;
const MAX_OFFSET_TABLE_BYTES = 4 * MAX_FRAGMENTS;

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

/**
 * The instance of `size` bytes whose first bytes are `head`. Refuses (with
 * PAYLOAD_TOO_LARGE) what cannot be read from a bounded head: a header that
 * does not end within it, or a deflated dataset (it must be inflated whole).
 */
export async function parseInstanceHead(head: Buffer, size: number, readAt: ReadAt): Promise<ParsedInstance> {
  checkPreamble(head);
  const headerTooLong = () =>
    new ArchiveError(
      'PAYLOAD_TOO_LARGE',
      `an instance larger than ${mib(head.length)} must have its Pixel Data start within its first ${mib(head.length)} ` +
        '(its header, or a non-image object such as an encapsulated document, is larger than that)',
      { limitBytes: head.length },
    );
  const byteArray = new Uint8Array(head.buffer, head.byteOffset, head.byteLength);
  let parsed: dicomParser.DataSet;
  try {
    parsed = parseDataSet(byteArray, { untilTag: 'x7fe00010' } as dicomParser.ParseDicomOptions);
  } catch (error) {
    if (isArchiveError(error) && error.code === 'TRUNCATED' && head.length < size) throw headerTooLong();
    throw error;
  }
  const { transferSyntaxUid, encapsulated, uids } = checkTransferSyntaxAndUids(parsed);
  if (transferSyntaxUid === TS.DEFLATED_LE) {
    throw new ArchiveError('PAYLOAD_TOO_LARGE', `a deflated instance larger than ${mib(head.length)} is not accepted (it would have to be inflated in memory)`, {
      limitBytes: head.length,
    });
  }
  const pixelData = parsed.elements.x7fe00010;
  if (!pixelData) {
    if (head.length < size) throw headerTooLong();
    throw new ArchiveError('INTERNAL', 'parseInstanceHead called with a whole instance without Pixel Data');
  }

  const dataset = parseHeaderToJson(head.subarray(0, pixelData.dataOffset), uids);
  const numberOfFrames = Math.max(1, firstNumber(dataset, '00280008') ?? 1);
  if (encapsulated) {
    const { basicOffsetTable, fragments, frameStarts } = await scanFragments(readAt, pixelData.dataOffset, size);
    pixelData.fragments = fragments;
    // Without a usable offset table, frames start at fragments that begin a
    // JPEG (SOI FFD8) or JPEG 2000 codestream (SOC FF4F), as dicom-parser's
    // createJPEGBasicOffsetTable finds them in a file held in memory.
    pixelData.basicOffsetTable =
      basicOffsetTable.length === numberOfFrames || fragments.length === numberOfFrames || numberOfFrames === 1 ? basicOffsetTable : frameStarts;
    if (numberOfFrames > 1 && pixelData.basicOffsetTable.length !== numberOfFrames && fragments.length !== numberOfFrames) {
      throw new ArchiveError('UNSUPPORTED', `cannot locate ${numberOfFrames} frames in ${fragments.length} fragments without a Basic Offset Table`);
    }
  } else {
    if (pixelData.hadUndefinedLength) throw new ArchiveError('NOT_DICOM', 'native Pixel Data with an undefined length');
    if (pixelData.dataOffset + pixelData.length > size) {
      throw new ArchiveError(
        'TRUNCATED',
        `the file ends before its data does (truncated): Pixel Data declares ${pixelData.length} bytes, the file has ${size - pixelData.dataOffset} after its header`,
      );
    }
  }
  const frameIndex = indexFrames(parsed, transferSyntaxUid, encapsulated, numberOfFrames, dataset);
  return { transferSyntaxUid, ...uids, numberOfFrames, frameIndex, dataset };
}

interface ScannedFragments {
  basicOffsetTable: number[];
  fragments: dicomParser.Fragment[];
  /** Offsets (as in the Basic Offset Table) of fragments that start a JPEG/JPEG 2000 codestream */
  frameStarts: number[];
}

/** Walks the items of encapsulated Pixel Data starting at `start` (its first item tag). */
async function scanFragments(readAt: ReadAt, start: number, size: number): Promise<ScannedFragments> {
  let window: Buffer = Buffer.alloc(0);
  let windowStart = 0;
  /** Makes [position, position + length) available in `window`; its offset there. */
  const load = async (position: number, length: number): Promise<number> => {
    if (position < windowStart || position + length > windowStart + window.length) {
      window = await readAt(position, Math.min(Math.max(WINDOW_BYTES, length), size - position));
      windowStart = position;
      if (window.length < length) throw new ArchiveError('TRUNCATED', 'the file ends inside encapsulated Pixel Data (truncated)');
    }
    return position - windowStart;
  };
  const readItemHeader = async (position: number) => {
    const at = await load(position, 8);
    return { group: window.readUInt16LE(at), element: window.readUInt16LE(at + 2), length: window.readUInt32LE(at + 4) };
  };

  let position = start;
  const first = await readItemHeader(position);
  if (first.group !== 0xfffe || first.element !== 0xe000) throw new ArchiveError('NOT_DICOM', 'encapsulated Pixel Data does not start with an item (PS3.5 A.4)');
  if (first.length > MAX_OFFSET_TABLE_BYTES || first.length % 4 !== 0) throw new ArchiveError('UNSUPPORTED', `a Basic Offset Table of ${first.length} bytes`);
  const basicOffsetTable: number[] = [];
  if (first.length > 0) {
    const at = await load(position + 8, first.length);
    for (let i = 0; i < first.length; i += 4) basicOffsetTable.push(window.readUInt32LE(at + i));
  }
  position += 8 + first.length;
  const base = position; // fragment offsets and BOT values count from the first fragment's item tag
  const fragments: dicomParser.Fragment[] = [];
  const frameStarts: number[] = [];
  for (;;) {
    if (position + 8 > size) throw new ArchiveError('TRUNCATED', 'the file ends inside encapsulated Pixel Data (truncated)');
    const item = await readItemHeader(position);
    if (item.group === 0xfffe && item.element === 0xe0dd) break; // Sequence Delimitation Item
    if (item.group !== 0xfffe || item.element !== 0xe000) {
      throw new ArchiveError('NOT_DICOM', `unexpected tag (${item.group.toString(16)},${item.element.toString(16)}) inside encapsulated Pixel Data`);
    }
    if (position + 8 + item.length > size) throw new ArchiveError('TRUNCATED', 'the file ends inside a Pixel Data fragment (truncated)');
    if (fragments.length >= MAX_FRAGMENTS) throw new ArchiveError('UNSUPPORTED', `encapsulated Pixel Data with more than ${MAX_FRAGMENTS} fragments`);
    fragments.push({ offset: position - base, position: position + 8, length: item.length });
    if (item.length >= 2) {
      const at = await load(position + 8, 2);
      const marker = window.readUInt16BE(at);
      if (marker === 0xffd8 || marker === 0xff4f) frameStarts.push(position - base);
    }
    position += 8 + item.length;
  }
  return { basicOffsetTable, fragments, frameStarts };
}
