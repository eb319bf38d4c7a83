// Byte-level surgery on Explicit VR Little Endian Part 10 files, for tests of
// malformed input: where each top-level element's header, length field and
// value lie, and a file with one element inserted or replaced exactly as a
// broken sender would write it (dcmjs refuses to write such files itself).

/** PS3.5 Table 7.1-1: VRs whose explicit length field is 4 bytes (after 2 reserved bytes). */
const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
export const UNDEFINED_LENGTH = 0xffffffff;

export interface ElementLocation {
  /** Offset of the tag */
  offset: number;
  group: number;
  element: number;
  vr: string;
  /** Offset and size (2 or 4) of the length field */
  lengthOffset: number;
  lengthSize: 2 | 4;
  length: number;
  valueOffset: number;
  /** Offset just past the element (its value, or for undefined length its sequence delimitation item) */
  end: number;
}

/** Offset of the dataset after the preamble, DICM and File Meta group ((0002,0000) gives its length). */
export function datasetOffset(file: Buffer): number {
  return 132 + 12 + file.readUInt32LE(140);
}

function headerAt(file: Buffer, offset: number): Omit<ElementLocation, 'end'> {
  const vr = file.toString('latin1', offset + 4, offset + 6);
  const long = LONG_LENGTH_VRS.has(vr);
  const lengthOffset = offset + (long ? 8 : 6);
  const length = long ? file.readUInt32LE(lengthOffset) : file.readUInt16LE(lengthOffset);
  return {
    offset,
    group: file.readUInt16LE(offset),
    element: file.readUInt16LE(offset + 2),
    vr,
    lengthOffset,
    lengthSize: long ? 4 : 2,
    length,
    valueOffset: lengthOffset + (long ? 4 : 2),
  };
}

/** (FFFE,E0DD) with a zero length: the end of an undefined-length sequence (PS3.5 7.5.2). */
const SEQUENCE_DELIMITATION = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
/** (FFFE,E00D) with a zero length: the end of an undefined-length item (PS3.5 7.5.2), also used by broken senders after other VRs. */
export const ITEM_DELIMITATION = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]);

/**
 * The top-level elements of the dataset (File Meta group included when
 * `includeMeta`), in file order. Stops quietly where the bytes stop making
 * sense: a mutated file yields the elements before the damage.
 */
export function topLevelElements(file: Buffer, includeMeta = false): ElementLocation[] {
  const found: ElementLocation[] = [];
  let offset = includeMeta ? 132 : file.length >= 144 ? datasetOffset(file) : file.length;
  while (offset + 12 <= file.length) {
    const header = headerAt(file, offset);
    if (!/^[A-Z]{2}$/.test(header.vr) || header.valueOffset > file.length) break;
    let end: number;
    if (header.length === UNDEFINED_LENGTH) {
      // Pixel data ends with a sequence delimitation item; so do undefined-length sequences at the top level
      const delimiter = file.indexOf(SEQUENCE_DELIMITATION, header.valueOffset);
      if (delimiter < 0) break;
      end = delimiter + SEQUENCE_DELIMITATION.length;
    } else {
      end = header.valueOffset + header.length;
    }
    if (end > file.length) break;
    found.push({ ...header, end });
    offset = end;
  }
  return found;
}

export function findElement(file: Buffer, group: number, element: number): ElementLocation {
  const found = topLevelElements(file, group === 0x0002).find((e) => e.group === group && e.element === element);
  if (!found) throw new Error(`(${hex(group)},${hex(element)}) not found`);
  return found;
}

function hex(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

/** An explicit VR LE element's bytes; `undefinedLength` writes 0xFFFFFFFF and puts `value` plus an item delimitation after it. */
export function encodeElement(group: number, element: number, vr: string, value: Buffer, options: { undefinedLength?: boolean } = {}): Buffer {
  const long = LONG_LENGTH_VRS.has(vr);
  if (!long && options.undefinedLength) throw new Error(`${vr} has a 2-byte length field: it cannot say "undefined"`);
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(element, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(options.undefinedLength ? UNDEFINED_LENGTH : value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat(options.undefinedLength ? [header, value, ITEM_DELIMITATION] : [header, value]);
}

/** The file with an element inserted into the top-level dataset at its place in tag order. */
export function withElementInserted(file: Buffer, encoded: Buffer): Buffer {
  const group = encoded.readUInt16LE(0);
  const element = encoded.readUInt16LE(2);
  const key = group * 0x10000 + element;
  const next = topLevelElements(file).find((e) => e.group * 0x10000 + e.element > key);
  const at = next ? next.offset : file.length;
  return Buffer.concat([file.subarray(0, at), encoded, file.subarray(at)]);
}

/** The file with one top-level element's value replaced by `value` (its length field rewritten). */
export function withElementValue(file: Buffer, group: number, element: number, value: Buffer): Buffer {
  const found = findElement(file, group, element);
  const encoded = encodeElement(group, element, found.vr, value);
  const result = Buffer.concat([file.subarray(0, found.offset), encoded, file.subarray(found.end)]);
  if (group === 0x0002) result.writeUInt32LE(result.readUInt32LE(140) + encoded.length - (found.end - found.offset), 140);
  return result;
}
