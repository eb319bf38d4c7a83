// The filesystem store's incoming blobs: bytes written as they come, durable
// and under their key only on commit, and nothing left after a discard or a
// failure.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ArchiveError } from '../errors';
import { FsBlobStore } from './fs-blob-store';

describe('FsBlobStore incoming blobs', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'telepacs-blob-'));
  const store = new FsBlobStore(root);
  const incomingFiles = () => readdirSync(path.join(root, '.incoming'));
  after(() => rmSync(root, { recursive: true, force: true }));

  it('commits chunks written one by one as one file under its key, and nothing stays in the incoming area', async () => {
    const chunks = [Buffer.from('DICM'), Buffer.alloc(300_000, 7), Buffer.from('end')];
    const blob = store.begin();
    for (const chunk of chunks) blob.write(chunk);
    assert.deepEqual(await blob.finish(), { size: 300_007 });
    await blob.commit('study/series/one.dcm');
    assert.ok(readFileSync(path.join(root, 'study/series/one.dcm')).equals(Buffer.concat(chunks)));
    assert.ok((await store.get('study/series/one.dcm')).equals(Buffer.concat(chunks)));
    assert.deepEqual(incomingFiles(), []);
    await blob.discard(); // after commit: nothing happens
    assert.equal(await store.exists('study/series/one.dcm'), true);
  });

  it('leaves nothing behind when discarded, before or after finish', async () => {
    const early = store.begin();
    early.write(Buffer.alloc(1000, 1));
    await early.discard();
    const late = store.begin();
    late.write(Buffer.alloc(1000, 2));
    await late.finish();
    await late.discard();
    assert.deepEqual(incomingFiles(), []);
    await assert.rejects(late.commit('never/here.dcm'), ArchiveError);
    assert.equal(await store.exists('never/here.dcm'), false);
  });

  it('refuses writes after finish', async () => {
    const blob = store.begin();
    await blob.finish();
    assert.throws(() => blob.write(Buffer.from('late')), /finished blob/);
    await blob.discard();
  });

  it('reports a store it cannot write to as STORAGE_FAILURE at finish, and commits nothing', async () => {
    // Its incoming area is a file, not a directory: every open fails (for root too)
    const brokenRoot = mkdtempSync(path.join(tmpdir(), 'telepacs-blob-broken-'));
    try {
      writeFileSync(path.join(brokenRoot, '.incoming'), 'in the way');
      const broken = new FsBlobStore(brokenRoot);
      const blob = broken.begin();
      blob.write(Buffer.from('x'));
      await assert.rejects(blob.finish(), (error: unknown) => error instanceof ArchiveError && error.code === 'STORAGE_FAILURE');
      await assert.rejects(blob.commit('a/b.dcm'), ArchiveError);
      await assert.rejects(broken.put('a/c.dcm', Buffer.from('y')), (error: unknown) => error instanceof ArchiveError && error.code === 'STORAGE_FAILURE');
      assert.equal(await broken.exists('a/b.dcm'), false);
    } finally {
      rmSync(brokenRoot, { recursive: true, force: true });
    }
  });

  it('reports an invalid key at commit and keeps nothing', async () => {
    const blob = store.begin();
    blob.write(Buffer.from('x'));
    await assert.rejects(blob.commit('../escape.dcm'), ArchiveError);
    await blob.discard();
    assert.deepEqual(incomingFiles(), []);
  });
});
