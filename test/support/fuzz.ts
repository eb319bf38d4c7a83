// Seeded mutations of real DICOM files and of DICOM Upper Layer PDUs, for
// the fuzz test. Every case is derived from (seed, case number) alone, so a
// failing case is replayed by its two numbers, whatever ran before it.
import { datasetOffset, topLevelElements, UNDEFINED_LENGTH } from './dicom-bytes';
import { associateRq, cEchoRq, cStoreRq, EXPLICIT_LE, IMPLICIT_LE, pDataTf, releaseRq, VERIFICATION } from './raw-dimse';

/** mulberry32: small, fast, good enough to pick mutations (not for secrets). */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

/** The PRNG of one case: independent of every other case. */
export function caseRandom(seed: number, caseNumber: number): Prng {
  return new Prng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(caseNumber + 1, 0xc2b2ae35)) >>> 0);
}

// ---------------------------------------------------------------------------
// DICOM files
// ---------------------------------------------------------------------------

const INTERESTING_32 = [0, 1, 2, 3, 0x7f, 0xff, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, UNDEFINED_LENGTH];
const INTERESTING_16 = [0, 1, 2, 3, 0x7f, 0xff, 0x7fff, 0x8000, 0xfffe, 0xffff];
const VRS = ['AE', 'CS', 'DA', 'DS', 'IS', 'LO', 'OB', 'OW', 'PN', 'SH', 'SQ', 'UI', 'UL', 'UN', 'US', 'UT', 'UC', 'UR', 'OF', 'OD', 'OL', 'SV', 'UV', 'OV', 'ZZ', '\0\0'];
const ITEM = Buffer.from([0xfe, 0xff, 0x00, 0xe0]);
const ITEM_END = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]);
const SEQUENCE_END = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);

function u32le(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
}

/**
 * A new SOP Instance UID of the same length, written wherever the old one
 * is (File Meta and dataset), so that most mutants are new instances rather
 * than duplicates. Deflated datasets keep theirs (it is compressed).
 */
export function withFreshSopInstanceUid(file: Buffer, sopInstanceUid: string, random: Prng): Buffer {
  if (!/\.\d{13,}$/.test(sopInstanceUid)) return file;
  const tail = `${1 + random.int(9)}${Array.from({ length: 11 }, () => random.int(10)).join('')}`;
  const fresh = Buffer.from(sopInstanceUid.slice(0, -12) + tail, 'latin1');
  const old = Buffer.from(sopInstanceUid, 'latin1');
  const out = Buffer.from(file);
  for (let at = out.indexOf(old); at >= 0; at = out.indexOf(old, at + old.length)) fresh.copy(out, at);
  return out;
}

/** One or more mutations of `file`; `applied` names them (for the report of a failing case). */
export function mutateFile(file: Buffer, random: Prng): { bytes: Buffer; applied: string[] } {
  let bytes: Buffer = Buffer.from(file);
  const applied: string[] = [];
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) {
    const mutation = random.pick(FILE_MUTATIONS);
    const result = mutation.apply(bytes, random);
    bytes = result.bytes;
    applied.push(`${mutation.name}(${result.detail})`);
  }
  return { bytes, applied };
}

interface Mutation {
  name: string;
  apply(bytes: Buffer, random: Prng): { bytes: Buffer; detail: string };
}

/** A position biased towards the header, where the structure is. */
function position(bytes: Buffer, random: Prng): number {
  const headerEnd = Math.min(bytes.length, 132 + 2048);
  return random.chance(0.75) ? random.int(headerEnd) : random.int(bytes.length);
}

const FILE_MUTATIONS: Mutation[] = [
  {
    name: 'bit-flips',
    apply(bytes, random) {
      const flips = 1 + random.int(8);
      const at: number[] = [];
      for (let i = 0; i < flips && bytes.length; i++) {
        const offset = position(bytes, random);
        bytes[offset] ^= 1 << random.int(8);
        at.push(offset);
      }
      return { bytes, detail: at.join(',') };
    },
  },
  {
    name: 'truncate',
    apply(bytes, random) {
      const at = random.chance(0.5) ? position(bytes, random) : bytes.length - 1 - random.int(Math.min(bytes.length, 64));
      return { bytes: bytes.subarray(0, Math.max(0, at)), detail: String(at) };
    },
  },
  {
    name: 'length-field',
    apply(bytes, random) {
      const elements = topLevelElements(bytes, true);
      if (!elements.length) return { bytes, detail: 'no element' };
      const element = random.pick(elements);
      const choices = element.lengthSize === 4 ? INTERESTING_32 : INTERESTING_16;
      let value = random.chance(0.3) ? element.length + (random.chance(0.5) ? 1 : -1) : random.pick(choices);
      if (random.chance(0.1)) value = random.int(element.lengthSize === 4 ? 0x100000 : 0x10000);
      if (element.lengthSize === 4) bytes.writeUInt32LE(value >>> 0, element.lengthOffset);
      else bytes.writeUInt16LE(value & 0xffff, element.lengthOffset);
      return { bytes, detail: `(${element.group.toString(16)},${element.element.toString(16)})=${value}` };
    },
  },
  {
    name: 'vr-swap',
    apply(bytes, random) {
      const elements = topLevelElements(bytes, true);
      if (!elements.length) return { bytes, detail: 'no element' };
      const element = random.pick(elements);
      const vr = random.pick(VRS);
      bytes.write(vr, element.offset + 4, 'latin1');
      return { bytes, detail: `(${element.group.toString(16)},${element.element.toString(16)}) ${element.vr}->${JSON.stringify(vr)}` };
    },
  },
  {
    name: 'nested-sequences',
    apply(bytes, random) {
      const depth = random.chance(0.1) ? 500 + random.int(5000) : 1 + random.int(40);
      const undefinedLengths = random.chance(0.7);
      const inner = random.chance(0.5) ? Buffer.from([0x08, 0x00, 0x00, 0x01, 0x53, 0x48, 0x04, 0x00, 0x54, 0x2d, 0x31, 0x20]) : random.bytes(random.int(16));
      let nested = inner;
      for (let level = 0; level < depth; level++) {
        const header = Buffer.from([0x08, 0x00, 0x15, 0x11, 0x53, 0x51, 0, 0]); // (0008,1115) SQ
        nested = undefinedLengths
          ? Buffer.concat([header, u32le(UNDEFINED_LENGTH), ITEM, u32le(UNDEFINED_LENGTH), nested, ITEM_END, SEQUENCE_END])
          : Buffer.concat([header, u32le(nested.length + 8 + random.int(3) - 1), ITEM, u32le(nested.length + random.int(3) - 1), nested]);
      }
      const elements = topLevelElements(bytes);
      const at = elements.length ? random.pick(elements).offset : Math.min(bytes.length, datasetOffsetSafe(bytes));
      return { bytes: Buffer.concat([bytes.subarray(0, at), nested, bytes.subarray(at)]), detail: `depth ${depth}${undefinedLengths ? ' undefined' : ''} at ${at}` };
    },
  },
  {
    name: 'splice',
    apply(bytes, random) {
      const from = position(bytes, random);
      const length = random.int(64);
      const to = position(bytes, random);
      const piece = Buffer.from(bytes.subarray(from, from + length));
      return { bytes: Buffer.concat([bytes.subarray(0, to), piece, bytes.subarray(to)]), detail: `${from}+${length}->${to}` };
    },
  },
  {
    name: 'delete',
    apply(bytes, random) {
      const from = position(bytes, random);
      const length = 1 + random.int(32);
      return { bytes: Buffer.concat([bytes.subarray(0, from), bytes.subarray(from + length)]), detail: `${from}+${length}` };
    },
  },
  {
    name: 'interesting-bytes',
    apply(bytes, random) {
      const at = position(bytes, random);
      const value = random.pick([0x00, 0xff, 0x7f, 0x80, 0x5c, 0x1b, 0x20]);
      if (at < bytes.length) bytes[at] = value;
      return { bytes, detail: `${at}=${value}` };
    },
  },
];

function datasetOffsetSafe(bytes: Buffer): number {
  return bytes.length >= 144 ? Math.min(bytes.length, datasetOffset(bytes)) : bytes.length;
}

// ---------------------------------------------------------------------------
// PDUs
// ---------------------------------------------------------------------------

export interface PduCase {
  /** What is sent, in order, each chunk a separate socket write */
  chunks: Buffer[];
  description: string;
}

/** A PDU sequence: a valid association start, then garbage or damaged PDUs; or garbage from the first byte. */
export function pduCase(random: Prng, callingAet: string, calledAet: string, dataset: Buffer, sop: { classUid: string; instanceUid: string }): PduCase {
  const associate = () =>
    associateRq({
      callingAet,
      calledAet,
      contexts: [
        { id: 1, abstractSyntax: sop.classUid, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
        { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
      ],
    });
  const store = () => [pDataTf(1, cStoreRq(7, sop.classUid, sop.instanceUid), { command: true, last: true }), pDataTf(1, dataset, { command: false, last: true })];
  const kind = random.int(8);
  switch (kind) {
    case 0:
      return { chunks: [random.bytes(1 + random.int(2048))], description: 'random bytes' };
    case 1: {
      // A PDU header announcing a huge or odd length, then little or nothing
      const header = Buffer.from([random.pick([1, 2, 3, 4, 5, 6, 7, 0x42]), 0, 0, 0, 0, 0]);
      header.writeUInt32BE(random.pick([0xffffffff, 0x7fffffff, 0x01000001, 0, 1, 3, 5]), 2);
      return { chunks: [header, random.bytes(random.int(64))], description: `PDU header length ${header.readUInt32BE(2)}` };
    }
    case 2: {
      // A-ASSOCIATE-RQ with its PDU length or an item length wrong
      const rq = associate();
      const at = random.chance(0.5) ? 2 : 74 + random.int(rq.length - 76);
      rq.writeUInt16BE(random.pick([0, 1, 0xffff, rq.readUInt16BE(at) + 1, rq.readUInt16BE(at) - 1]) & 0xffff, at);
      return { chunks: [rq], description: `A-ASSOCIATE-RQ length at ${at}` };
    }
    case 3: {
      const rq = associate();
      for (let i = 0; i < 1 + random.int(6); i++) rq[random.int(rq.length)] ^= 1 << random.int(8);
      return { chunks: [rq, ...(random.chance(0.5) ? store() : [])], description: 'A-ASSOCIATE-RQ bit flips' };
    }
    case 4: {
      // P-DATA-TF whose PDV length disagrees with the PDU
      const pdu = store()[random.int(2)];
      pdu.writeUInt32BE(random.pick([0, 1, 2, 3, 0xffffffff, pdu.readUInt32BE(6) + 1 + random.int(1000), pdu.readUInt32BE(6) - 1]) >>> 0, 6);
      return { chunks: [associate(), pdu, releaseRq()], description: 'P-DATA bad PDV length' };
    }
    case 5: {
      // A damaged command set (C-STORE or C-ECHO)
      const command = random.chance(0.5) ? cStoreRq(9, sop.classUid, sop.instanceUid) : cEchoRq(9);
      for (let i = 0; i < 1 + random.int(6); i++) command[random.int(command.length)] ^= 1 << random.int(8);
      return { chunks: [associate(), pDataTf(random.chance(0.8) ? 1 : 3, command, { command: true, last: true }), pDataTf(1, dataset, { command: false, last: true }), releaseRq()], description: 'damaged command set' };
    }
    case 6: {
      // A whole C-STORE with the dataset cut and damaged, then more garbage
      const [command, data] = store();
      const cut = data.subarray(0, 12 + random.int(Math.max(1, data.length - 12)));
      return { chunks: [associate(), command, cut, random.bytes(random.int(128))], description: 'C-STORE cut mid-dataset' };
    }
    default: {
      // A valid stream cut into random pieces at random places, with one byte changed
      const stream = Buffer.concat([associate(), ...store(), releaseRq()]);
      stream[random.int(stream.length)] ^= 1 << random.int(8);
      const chunks: Buffer[] = [];
      for (let at = 0; at < stream.length; ) {
        const size = 1 + random.int(4096);
        chunks.push(stream.subarray(at, at + size));
        at += size;
      }
      return { chunks, description: 'valid stream, one bit flipped, split in pieces' };
    }
  }
}
