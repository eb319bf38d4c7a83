import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { ArchiveError } from '../errors';
import { parseMediaType, parseMultipart } from './multipart-parse';

function body(parts: Buffer[], boundary: string, options: { preamble?: string; close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(options.preamble ?? '')];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`), part, Buffer.from('\r\n'));
  }
  if (options.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** Feeds the body in chunks of the given size, to cross every boundary position. */
function streamOf(data: Buffer, chunkSize: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) chunks.push(data.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

async function collect(stream: Readable, boundary: string, max = 1 << 20) {
  const out = [];
  for await (const part of parseMultipart(stream, boundary, max)) out.push(part);
  return out;
}

describe('multipart/related parsing', () => {
  it('parses the media type with quoted parameters', () => {
    assert.deepEqual(parseMediaType('Multipart/Related; type="application/dicom"; boundary="a;b"'), {
      type: 'multipart/related',
      parameters: { type: 'application/dicom', boundary: 'a;b' },
    });
  });

  it('yields every part byte-exactly whatever the chunking', async () => {
    const parts = [Buffer.from('first\r\n--not-a-boundary'), Buffer.alloc(70_000, 7), Buffer.from([0, 13, 10, 45, 45])];
    const data = body(parts, 'XyZ', { preamble: 'ignored preamble\r\n' });
    for (const size of [1, 3, 17, 1000, 65536, data.length]) {
      const got = await collect(streamOf(data, size), 'XyZ');
      assert.equal(got.length, 3, `chunk size ${size}`);
      got.forEach((part, i) => assert.deepEqual(part.body, parts[i], `part ${i} chunk size ${size}`));
      assert.equal(got[0].headers['content-type'], 'application/dicom');
    }
  });

  it('rejects a body without its closing boundary', async () => {
    await assert.rejects(collect(streamOf(body([Buffer.from('x')], 'b', { close: false }), 5), 'b'), (e: unknown) =>
      e instanceof ArchiveError && e.code === 'BAD_REQUEST' && /closing boundary/.test(e.message),
    );
  });

  it('rejects a body that never contains the boundary', async () => {
    await assert.rejects(collect(streamOf(Buffer.from('just some bytes'), 4), 'b'), (e: unknown) =>
      e instanceof ArchiveError && e.code === 'BAD_REQUEST',
    );
  });

  it('refuses a part above the size limit', async () => {
    await assert.rejects(collect(streamOf(body([Buffer.alloc(300_000)], 'b'), 65536), 'b', 100_000), (e: unknown) =>
      e instanceof ArchiveError && e.code === 'PAYLOAD_TOO_LARGE',
    );
  });
});
