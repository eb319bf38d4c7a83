// A large STOW-RS part is parsed from its first bytes and the file
// (parseInstanceHead); it must come out exactly as the whole-file parse
// (parseInstance) of the same bytes: same header JSON, same frame byte ranges.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, fixtureSkipReason, makeInstance, type FixtureName } from '../../test/support/fixtures';
import { ArchiveError } from '../errors';
import { parseInstance } from './parse-instance';
import { parseInstanceHead } from './parse-instance-head';

const readFrom = (file: Buffer) => async (position: number, length: number) => file.subarray(position, position + length);

/** The first bytes up to just past Pixel Data's element header, as a large part keeps them */
function headOf(file: Buffer): Buffer {
  const at = Math.max(file.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00])), file.lastIndexOf(Buffer.from([0x7f, 0xe0, 0x00, 0x10])));
  assert.ok(at > 132, 'Pixel Data tag found');
  return file.subarray(0, at + 12 + 16);
}

/** The same encapsulated file with an empty Basic Offset Table item */
function withoutOffsetTable(file: Buffer): Buffer {
  const pixelData = file.lastIndexOf(Buffer.from([0xe0, 0x7f, 0x10, 0x00, 0x4f, 0x42]));
  const bot = pixelData + 12;
  assert.equal(file.readUInt32LE(bot), 0xe000fffe);
  const length = file.readUInt32LE(bot + 4);
  assert.ok(length > 0, 'the fixture has an offset table to remove');
  const empty = Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0, 0, 0, 0]);
  return Buffer.concat([file.subarray(0, bot), empty, file.subarray(bot + 8 + length)]);
}

describe('parsing a large instance from its head and the file', () => {
  const names: FixtureName[] = ['explicit-le', 'implicit-le', 'big-endian', 'rle', 'jpeg-baseline', 'jpeg-lossless', 'jpeg-ls', 'multiframe', 'multiframe-rle'];
  for (const name of names) {
    it(`gives the same header and frame ranges as the whole-file parse (${name})`, { skip: fixtureSkipReason(name) }, async () => {
      const file = fixture(name);
      const whole = parseInstance(file);
      const fromHead = await parseInstanceHead(headOf(file), file.length, readFrom(file));
      assert.deepEqual(fromHead, whole);
    });
  }

  it('locates the frames of encapsulated Pixel Data without an offset table (one fragment per frame)', { skip: fixtureSkipReason('multiframe-rle') }, async () => {
    const file = withoutOffsetTable(fixture('multiframe-rle'));
    const whole = parseInstance(file);
    assert.ok(whole.frameIndex.length > 1);
    const fromHead = await parseInstanceHead(headOf(file), file.length, readFrom(file));
    assert.deepEqual(fromHead.frameIndex, whole.frameIndex);
  });

  it('refuses a truncated native Pixel Data', async () => {
    const file = makeInstance({ seed: 'head-truncated', rows: 64, columns: 64 });
    const cut = file.subarray(0, file.length - 100);
    await assert.rejects(parseInstanceHead(headOf(cut), cut.length, readFrom(cut)), (error: unknown) => error instanceof ArchiveError && error.code === 'TRUNCATED');
  });

  it('refuses, as too large, an instance whose header does not end within its head', async () => {
    const file = makeInstance({ seed: 'head-long', rows: 64, columns: 64 });
    await assert.rejects(parseInstanceHead(file.subarray(0, 400), file.length, readFrom(file)), (error: unknown) =>
      error instanceof ArchiveError && error.code === 'PAYLOAD_TOO_LARGE' && /Pixel Data start within/.test(error.message),
    );
  });
});
