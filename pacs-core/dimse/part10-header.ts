// The Part 10 header of a dataset received by C-STORE: dcmjs-dimse streams the
// dataset as sent (no preamble, no File Meta Information), so we write the
// header a DICOM file needs in front of it (PS3.10 7.1, PS3.7 D.3.3.2).
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './constants';

export interface Part10HeaderFields {
  /** (0002,0002) from the command's Affected SOP Class UID */
  sopClassUid: string;
  /** (0002,0003) from the command's Affected SOP Instance UID */
  sopInstanceUid: string;
  /** (0002,0010) the presentation context's accepted transfer syntax */
  transferSyntaxUid: string;
  /** (0002,0016) the calling AE title: who sent it (PS3.10 7.1) */
  sourceAeTitle?: string;
}

/**
 * Preamble (128 zero bytes), "DICM", then group 0002 in Explicit VR Little
 * Endian whatever the dataset's transfer syntax (PS3.10 7.1), starting with
 * (0002,0000) File Meta Information Group Length.
 */
export function buildPart10Header(fields: Part10HeaderFields): Buffer {
  const elements = [
    element(0x0001, 'OB', Buffer.from([0x00, 0x01])), // File Meta Information Version 00\01
    element(0x0002, 'UI', uidValue(fields.sopClassUid)),
    element(0x0003, 'UI', uidValue(fields.sopInstanceUid)),
    element(0x0010, 'UI', uidValue(fields.transferSyntaxUid)),
    element(0x0012, 'UI', uidValue(IMPLEMENTATION_CLASS_UID)),
    element(0x0013, 'SH', textValue(IMPLEMENTATION_VERSION_NAME)),
    ...(fields.sourceAeTitle ? [element(0x0016, 'AE', textValue(fields.sourceAeTitle.trim()))] : []),
  ];
  const group = Buffer.concat(elements);
  const groupLength = Buffer.alloc(12);
  groupLength.writeUInt16LE(0x0002, 0);
  groupLength.writeUInt16LE(0x0000, 2);
  groupLength.write('UL', 4, 'latin1');
  groupLength.writeUInt16LE(4, 6);
  groupLength.writeUInt32LE(group.length, 8);
  const preamble = Buffer.alloc(132);
  preamble.write('DICM', 128, 'latin1');
  return Buffer.concat([preamble, groupLength, group]);
}

/** PS3.5 6.2: UI values are padded to even length with a NUL byte. */
function uidValue(uid: string): Buffer {
  const value = Buffer.from(uid.trim(), 'latin1');
  return value.length % 2 ? Buffer.concat([value, Buffer.from([0])]) : value;
}

/** PS3.5 6.2: SH/AE values are padded to even length with a space. */
function textValue(text: string): Buffer {
  return Buffer.from(text.length % 2 ? `${text} ` : text, 'latin1');
}

/** PS3.5 7.1.2: OB has a 2-byte reserved field and a 32-bit length; UI, SH, AE a 16-bit length. */
function element(elementNumber: number, vr: 'OB' | 'UI' | 'SH' | 'AE', value: Buffer): Buffer {
  const long = vr === 'OB';
  const header = Buffer.alloc(long ? 12 : 8);
  header.writeUInt16LE(0x0002, 0);
  header.writeUInt16LE(elementNumber, 2);
  header.write(vr, 4, 'latin1');
  if (long) header.writeUInt32LE(value.length, 8);
  else header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

const LONG_LENGTH_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/**
 * Where the dataset starts in a stored Part 10 file: after the preamble, "DICM"
 * and the File Meta group (always Explicit VR LE, PS3.10 7.1). Walks the group
 * rather than trusting (0002,0000), which some writers leave out.
 */
export function datasetOffset(file: Buffer): number {
  if (file.length < 132 || file.toString('latin1', 128, 132) !== 'DICM') throw new Error('not a DICOM Part 10 file');
  let offset = 132;
  while (offset + 8 <= file.length && file.readUInt16LE(offset) === 0x0002) {
    const vr = file.toString('latin1', offset + 4, offset + 6);
    offset += LONG_LENGTH_VRS.has(vr) ? 12 + file.readUInt32LE(offset + 8) : 8 + file.readUInt16LE(offset + 6);
  }
  if (offset > file.length) throw new Error('the File Meta Information runs past the end of the file');
  return offset;
}
