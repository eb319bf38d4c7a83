// How deeply a file nests its sequences, found by walking its elements in a
// loop before dicom-parser walks them recursively. dicom-parser (and dcmjs)
// recurse once per level: a file nesting thousands of sequences (the fuzz
// test makes them) overflowed the stack in one run and not in another,
// depending on how much stack the caller had left. Counting first makes the
// refusal the same every time (check-encoding.ts MAX_SEQUENCE_DEPTH).
//
// Only a guard: it reads lengths as the file states them and stops, without
// an error, where they stop making sense; the real parse judges the file.
import { TS } from './transfer-syntax';

/** VRs with a 2-byte reserved field and a 4-byte length in explicit VR (PS3.5 7.1.2) */
const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

type Level = { end: number; kind: 'sequence' | 'item' | 'fragments' };

/**
 * The deepest sequence nesting of a Part 10 file, or the first depth above
 * `limit` (the walk stops there). 0 for a deflated dataset (its elements are
 * compressed; the inflated size is capped instead).
 */
export function sequenceNestingDepth(bytes: Uint8Array, limit: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 132;
  let transferSyntaxUid = '';
  // File Meta Information: explicit VR little endian, group 0002 (PS3.10 7.1)
  while (pos + 8 <= bytes.length && view.getUint16(pos, true) === 0x0002) {
    const element = view.getUint16(pos + 2, true);
    const vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
    const long = LONG_LENGTH_VRS.has(vr);
    const length = long ? (pos + 12 <= bytes.length ? view.getUint32(pos + 8, true) : 0) : view.getUint16(pos + 6, true);
    const start = pos + (long ? 12 : 8);
    if (element === 0x0010) transferSyntaxUid = Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.min(length, bytes.length - start)).toString('latin1').replace(/[\0 ]+$/, '');
    pos = start + length;
  }
  if (transferSyntaxUid === TS.DEFLATED_LE) return 0;
  const explicit = transferSyntaxUid !== TS.IMPLICIT_LE;
  const little = transferSyntaxUid !== TS.EXPLICIT_BE;
  const u16 = (at: number) => view.getUint16(at, little);
  const u32 = (at: number) => view.getUint32(at, little);

  const levels: Level[] = [];
  let depth = 0;
  let deepest = 0;
  const leave = () => {
    if (levels.pop()?.kind === 'sequence') depth -= 1;
  };
  while (pos + 8 <= bytes.length) {
    while (levels.length && pos >= levels[levels.length - 1].end) leave();
    const group = u16(pos);
    const element = u16(pos + 2);
    if (group === 0xfffe) {
      // Items and delimiters: always a tag and a 4-byte length (PS3.5 7.5)
      const length = u32(pos + 4);
      pos += 8;
      if (element === 0xe000) {
        const inFragments = levels[levels.length - 1]?.kind === 'fragments';
        if (inFragments) pos += length === UNDEFINED ? 0 : length; // an encapsulated fragment is bytes, not elements
        else levels.push({ end: length === UNDEFINED ? Infinity : pos + length, kind: 'item' });
      } else if (element === 0xe00d || element === 0xe0dd) {
        leave();
      }
      continue;
    }
    let vr: string | undefined;
    let length: number;
    if (explicit) {
      vr = String.fromCharCode(bytes[pos + 4], bytes[pos + 5]);
      const long = LONG_LENGTH_VRS.has(vr);
      if (long && pos + 12 > bytes.length) break;
      length = long ? u32(pos + 8) : u16(pos + 6);
      pos += long ? 12 : 8;
    } else {
      length = u32(pos + 4);
      pos += 8;
    }
    const startsWithItem = pos + 4 <= bytes.length && u16(pos) === 0xfffe && u16(pos + 2) === 0xe000;
    const isSequence = vr === 'SQ' || (length === UNDEFINED && !(group === 0x7fe0 && element === 0x0010)) || (!explicit && startsWithItem);
    if (length === UNDEFINED || isSequence) {
      if (isSequence) {
        depth += 1;
        deepest = Math.max(deepest, depth);
        if (depth > limit) return depth;
      }
      levels.push({ end: length === UNDEFINED ? Infinity : pos + length, kind: isSequence ? 'sequence' : 'fragments' });
      continue;
    }
    pos += length;
  }
  return deepest;
}
