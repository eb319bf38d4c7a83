// The PDU framer cuts a TCP byte stream into PDUs however the stream is
// chunked: checked against PDUs built by hand (PS3.8 9.3.5 P-DATA-TF).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PduFramer, PduFramingError } from './pdu-framer';

/** A P-DATA-TF PDU with one PDV of `size` bytes of a recognizable pattern. */
function pDataPdu(size: number, fill: number): Buffer {
  const pdu = Buffer.alloc(6 + 6 + size, fill);
  pdu.writeUInt8(0x04, 0);
  pdu.writeUInt8(0, 1);
  pdu.writeUInt32BE(6 + size, 2);
  pdu.writeUInt32BE(2 + size, 6); // PDV item length
  pdu.writeUInt8(1, 10); // presentation context ID
  pdu.writeUInt8(0x02, 11); // data, last fragment
  return pdu;
}

function frame(stream: Buffer, chunkSizes: number[], limit = 1 << 20): Buffer[] {
  const out: Buffer[] = [];
  const framer = new PduFramer(limit, (pdu) => out.push(Buffer.from(pdu)));
  let offset = 0;
  let i = 0;
  while (offset < stream.length) {
    const size = chunkSizes[i++ % chunkSizes.length];
    framer.push(stream.subarray(offset, offset + size));
    offset += size;
  }
  return out;
}

describe('PDU framer', () => {
  const pdus = [pDataPdu(10, 0xaa), pDataPdu(70_000, 0xbb), pDataPdu(1, 0xcc), Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0])];
  const stream = Buffer.concat(pdus);

  it('returns the same PDUs for any chunking: whole, byte by byte, and sizes that split headers', () => {
    for (const sizes of [[stream.length], [1], [3], [5, 7], [16_384], [65_536, 2]]) {
      const out = frame(stream, sizes);
      assert.equal(out.length, pdus.length, `chunks of ${sizes.join('/')}`);
      out.forEach((pdu, index) => assert.ok(pdu.equals(pdus[index]), `PDU ${index} with chunks of ${sizes.join('/')}`));
    }
  });

  it('hands a PDU that lies inside one chunk over as a view, without a copy', () => {
    const seen: Buffer[] = [];
    new PduFramer(1 << 20, (pdu) => seen.push(pdu)).push(stream);
    assert.equal(seen[0].buffer, stream.buffer);
  });

  it('refuses an unknown PDU type and a length above the limit before allocating it', () => {
    assert.throws(() => frame(Buffer.from([0x09, 0, 0, 0, 0, 0]), [6]), PduFramingError);
    const huge = Buffer.from([0x04, 0, 0xff, 0xff, 0xff, 0xff]);
    assert.throws(() => frame(huge, [6], 1 << 20), /larger than the 1048576 bytes accepted/);
    assert.throws(() => frame(huge, [2, 4], 1 << 20), /larger than/, 'also when the header arrives in pieces');
  });
});
