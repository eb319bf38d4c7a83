import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { InstanceReceiver } from './instance-receiver';
import { MemoryBlobStore } from './store/memory-blob-store';

const chunks = (...sizes: number[]) => sizes.map((size, index) => Buffer.alloc(size, index + 1));

describe('InstanceReceiver', () => {
  it('keeps an instance up to the limit whole, and writes it to the incoming blob too', async () => {
    const store = new MemoryBlobStore();
    const receiver = new InstanceReceiver(store.begin(), { memoryLimit: 100, chunksHandedOver: true });
    const pieces = chunks(40, 60);
    for (const piece of pieces) receiver.write(piece);
    const received = receiver.finish();
    assert.equal(received.kind, 'whole');
    assert.ok(received.kind === 'whole' && received.bytes.equals(Buffer.concat(pieces)));
    await received.incoming.commit('whole');
    assert.ok((await store.get('whole')).equals(Buffer.concat(pieces)));
  });

  it('keeps only the head of a larger instance and hashes all of it on the way', async () => {
    const store = new MemoryBlobStore();
    const receiver = new InstanceReceiver(store.begin(), { memoryLimit: 100, chunksHandedOver: true });
    const pieces = chunks(30, 50, 70, 20);
    for (const piece of pieces) receiver.write(piece);
    const received = receiver.finish();
    const all = Buffer.concat(pieces);
    assert.equal(received.kind, 'streamed');
    if (received.kind !== 'streamed') return;
    assert.ok(received.head.equals(all.subarray(0, 100)));
    assert.equal(received.size, 170);
    assert.equal(received.sha256, createHash('sha256').update(all).digest('hex'));
    assert.ok((await received.incoming.read(0, 1000)).equals(all));
  });

  it('copies what it keeps unless the chunks are handed over (a multipart parser reuses its buffer)', () => {
    const borrowed = Buffer.alloc(10, 1);
    const copying = new InstanceReceiver(new MemoryBlobStore().begin(), { memoryLimit: 100 });
    copying.write(borrowed);
    borrowed.fill(9);
    const received = copying.finish();
    assert.ok(received.kind === 'whole' && received.bytes.equals(Buffer.alloc(10, 1)));
  });
});
