// What the one parse refuses, and why: encoding rules of PS3.5 on files
// crafted byte by byte as broken senders write them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { ArchiveError, type ArchiveErrorCode } from '../errors';
import { fixture, fixtureSkipReason, makeInstance } from '../../test/support/fixtures';
import { datasetOffset, encodeElement, withElementInserted, withElementValue } from '../../test/support/dicom-bytes';
import { MAX_SEQUENCE_DEPTH } from './check-encoding';
import { parseInstance, peekUids } from './parse-instance';

const base = makeInstance({ seed: 'parse-instance-test', patientId: 'PARSE-1' });

function refusal(bytes: Buffer): { code: ArchiveErrorCode; message: string } {
  try {
    parseInstance(bytes);
  } catch (error) {
    assert.ok(error instanceof ArchiveError, `an ArchiveError, not ${String(error)}`);
    return { code: error.code, message: error.message };
  }
  assert.fail('the file was accepted');
}

const item = (content: Buffer) => Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), u32(content.length), content]);
const sequenceDelimitation = Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]);
function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}
/** An explicit VR LE element with undefined length whose value is `content` followed by a sequence delimitation item. */
function undefinedLengthSequence(group: number, element: number, vr: string, content: Buffer): Buffer {
  const header = encodeElement(group, element, vr, Buffer.alloc(0), { undefinedLength: true }).subarray(0, 12);
  return Buffer.concat([header, content, sequenceDelimitation]);
}

describe('parseInstance: undefined lengths (PS3.5 7.1.2)', () => {
  it('refuses a UT element with undefined length and names it', () => {
    const file = withElementInserted(base, encodeElement(0x0040, 0xa160, 'UT', Buffer.from('free text '), { undefinedLength: true }));
    const { code, message } = refusal(file);
    assert.equal(code, 'MALFORMED');
    assert.match(message, /\(0040,A160\) TextValue has an undefined length, which UT may not have/);
  });

  it('refuses an undefined length on OB that is not Pixel Data', () => {
    const file = withElementInserted(base, undefinedLengthSequence(0x0042, 0x0011, 'OB', item(Buffer.from('%PDF'))));
    assert.match(refusal(file).message, /\(0042,0011\) EncapsulatedDocument has an undefined length, which OB may not have/);
  });

  it('refuses undefined-length Pixel Data in a native (uncompressed) transfer syntax', () => {
    const native = makeInstance({ seed: 'parse-native-encapsulated', rows: 2, columns: 2 });
    const pixels = native.indexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00]), datasetOffset(native));
    const file = Buffer.concat([native.subarray(0, pixels), undefinedLengthSequence(0x7fe0, 0x0010, 'OB', Buffer.concat([item(Buffer.alloc(0)), item(Buffer.alloc(8))]))]);
    assert.match(refusal(file).message, /\(7FE0,0010\) PixelData has an undefined length/);
  });

  it('accepts undefined-length sequences: SQ, and UN holding an implicit VR sequence (PS3.5 6.2.2)', () => {
    // one item holding (0008,0100) CodeValue SH "T-1" in the item's own encoding
    const explicitItem = item(encodeElement(0x0008, 0x0100, 'SH', Buffer.from('T-1 ')));
    const implicitItem = item(Buffer.concat([Buffer.from([0x08, 0x00, 0x00, 0x01]), u32(4), Buffer.from('T-1 ')]));
    let file = withElementInserted(base, undefinedLengthSequence(0x0008, 0x2218, 'SQ', explicitItem));
    file = withElementInserted(file, undefinedLengthSequence(0x0009, 0x1010, 'UN', implicitItem));
    const parsed = parseInstance(file);
    assert.deepEqual((parsed.dataset['00082218'].Value?.[0] as Record<string, { Value?: unknown[] }>)['00080100'].Value, ['T-1']);
  });

  it('accepts encapsulated Pixel Data with undefined length', { skip: fixtureSkipReason('rle') }, () => {
    assert.equal(parseInstance(fixture('rle')).frameIndex.length, 1);
  });
});

describe('parseInstance: UIDs (PS3.5 9.1)', () => {
  const uidElements = [
    [0x0008, 0x0018, 'SOP Instance UID (0008,0018)', 'MISSING_UID'],
    [0x0008, 0x0016, 'SOP Class UID (0008,0016)', 'MISSING_UID'],
    [0x0020, 0x000d, 'Study Instance UID (0020,000D)', 'MISSING_UID'],
    [0x0020, 0x000e, 'Series Instance UID (0020,000E)', 'MISSING_UID'],
    [0x0002, 0x0010, 'Transfer Syntax UID (0002,0010)', 'MALFORMED'],
  ] as const;
  for (const [group, element, name, code] of uidElements) {
    it(`refuses a ${name} with a NUL inside, instead of cutting it at the NUL`, () => {
      const valid = group === 0x0002 ? '1.2.840.10008.1.2.1' : '1.2.3.4';
      const { code: got, message } = refusal(withElementValue(base, group, element, Buffer.from(`${valid.slice(0, 5)}\0${valid.slice(5)}\0`)));
      assert.equal(got, code);
      assert.ok(message.startsWith(`${name} contains a NUL byte`), message);
    });
  }

  it('strips the one trailing NUL that pads a UID to even length', () => {
    const parsed = parseInstance(withElementValue(base, 0x0008, 0x0018, Buffer.from('1.2.3.45\0')));
    assert.equal(parsed.sopInstanceUid, '1.2.3.45');
    assert.deepEqual(parsed.dataset['00080018'].Value, ['1.2.3.45']);
  });

  it('refuses two pad bytes, letters, a second value, leading zeros, empty components and more than 64 characters', () => {
    const cases: [string, RegExp][] = [
      ['1.2.3.4\0\0', /contains a NUL byte/],
      ['1.2.3.4a', /only digits and dots/],
      ['1.2.3\\1.2.4', /only digits and dots/],
      ['1.2.03.4', /leading zero/],
      ['1..2', /empty component/],
      [`1.${'2'.repeat(63)}`, /longer than 64 characters/],
    ];
    for (const [value, reason] of cases) {
      const { code, message } = refusal(withElementValue(base, 0x0008, 0x0018, Buffer.from(value)));
      assert.equal(code, 'MISSING_UID', value);
      assert.match(message, reason, value);
    }
  });

  it('names no UID in a STOW failure item rather than a UID cut at its NUL', () => {
    const file = withElementValue(base, 0x0008, 0x0018, Buffer.from('1.2.3\0.4'));
    assert.equal(peekUids(file).sopInstanceUid, undefined);
    assert.equal(peekUids(base).sopInstanceUid !== undefined, true);
  });
});

describe('parseInstance: text values', () => {
  it('refuses a NUL inside PatientID (a key of the patient row)', () => {
    const { code, message } = refusal(makeInstance({ seed: 'parse-nul-pid', patientId: 'PAT\0EVIL' }));
    assert.equal(code, 'MALFORMED');
    assert.match(message, /\(0010,0020\) PatientID contains a NUL byte/);
  });

  it('keeps trailing NUL padding of a text value harmless', () => {
    const parsed = parseInstance(makeInstance({ seed: 'parse-nul-pad', patientId: 'PAD-1\0' }));
    assert.deepEqual(parsed.dataset['00100020'].Value, ['PAD-1']);
  });
});

describe('parseInstance: deflated datasets (PS3.5 A.5)', () => {
  it('reads a deflated file whose preamble is not zeros (PS3.10 7.1 leaves it to the application)', { skip: fixtureSkipReason('deflate') }, () => {
    const file = Buffer.from(fixture('deflate'));
    file.fill(0x41, 0, 128);
    assert.equal(parseInstance(file).sopInstanceUid, parseInstance(fixture('deflate')).sopInstanceUid);
  });

  it('refuses a deflated dataset that would inflate past 256 MiB, before holding it all', { skip: fixtureSkipReason('deflate') }, () => {
    const deflated = fixture('deflate');
    const bomb = Buffer.concat([deflated.subarray(0, datasetOffset(deflated)), deflateRawSync(Buffer.alloc(300 * 1024 * 1024))]);
    assert.equal(refusal(bomb).code, 'PAYLOAD_TOO_LARGE');
  });
});

describe('parseInstance: sequence nesting', () => {
  /** (0008,1115) SQ nested `depth` times, undefined lengths, around (0008,0100) CodeValue "T-1" */
  function nestedSequences(depth: number): Buffer {
    const itemStart = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]);
    const itemEnd = Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]);
    let nested = encodeElement(0x0008, 0x0100, 'SH', Buffer.from('T-1 '));
    for (let level = 0; level < depth; level++) {
      const header = encodeElement(0x0008, 0x1115, 'SQ', Buffer.alloc(0), { undefinedLength: true }).subarray(0, 12);
      nested = Buffer.concat([header, itemStart, nested, itemEnd, sequenceDelimitation]);
    }
    return withElementInserted(base, nested);
  }

  it(`refuses sequences nested more than ${MAX_SEQUENCE_DEPTH} levels deep (the fuzz test's 1,538 overflowed the stack after the parse)`, () => {
    const { code, message } = refusal(nestedSequences(1538));
    assert.equal(code, 'MALFORMED');
    assert.equal(message, `sequences are nested more than ${MAX_SEQUENCE_DEPTH} levels deep`);
  });

  it('refuses it the same way however little stack the caller has left (counted before the recursive parse)', () => {
    const file = nestedSequences(2168);
    // Use up most of the stack first, as a deep caller would
    const deepCall = (levels: number): { code: ArchiveErrorCode; message: string } => (levels === 0 ? refusal(file) : deepCall(levels - 1));
    const { code, message } = deepCall(6000);
    assert.equal(code, 'MALFORMED');
    assert.equal(message, `sequences are nested more than ${MAX_SEQUENCE_DEPTH} levels deep`);
  });

  it('accepts deep but plausible nesting (an SR content tree)', () => {
    const parsed = parseInstance(nestedSequences(40));
    assert.ok(parsed.dataset['00081115'], 'the outer sequence is in the header');
  });
});
