// The S3 store against a real S3 server (s3rver): the same contract as the
// filesystem store (a key's blob appears whole at commit or not at all,
// nothing left after a discard or a failure, NOT_FOUND for an absent key),
// multipart uploads above the part size, and the server's refusals mapped
// to ArchiveErrors.
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { until } from '../../test/support/poll';
import { startS3Server, type S3TestServer } from '../../test/support/s3-server';
import { ArchiveError } from '../errors';
import { S3BlobStore } from './s3-blob-store';
import { createS3Client, parseStorageUrl } from './s3-config';

const MIB = 1024 * 1024;
const PREFIX = 'archive/one';

const isCode = (code: string, message?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ArchiveError, `expected an ArchiveError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  return true;
};

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** The names of the commands a client sends while `run` runs */
async function recordCommands(client: S3Client, run: (sent: string[]) => Promise<void>): Promise<string[]> {
  const sent: string[] = [];
  const name = `record-${randomBytes(4).toString('hex')}`;
  client.middlewareStack.add((next, context) => (args) => {
    sent.push(context.commandName ?? '?');
    return next(args);
  }, { step: 'initialize', name });
  try {
    await run(sent);
  } finally {
    client.middlewareStack.remove(name);
  }
  return sent;
}

/** An HTTP proxy in front of the S3 server that refuses the requests `refuse` picks, as S3 does (an XML error), and adds response headers */
async function startRefusingProxy(
  target: string,
  refuse: (request: http.IncomingMessage) => { status: number; code: string } | undefined,
  addHeaders: (request: http.IncomingMessage) => Record<string, string> = () => ({}),
) {
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const refusal = refuse(request);
    if (refusal) {
      request.resume();
      request.on('end', () => {
        response.writeHead(refusal.status, { 'content-type': 'application/xml' });
        response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${refusal.code}</Code><Message>refused by the test</Message></Error>`);
      });
      return;
    }
    const upstream = http.request(`${target}${request.url}`, { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, { ...answer.headers, ...addHeaders(request) });
      answer.pipe(response);
    });
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createS3Client({ endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  const stop = async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { seen, client, stop };
}

describe('S3BlobStore against an S3 server', () => {
  let server: S3TestServer;
  let store: S3BlobStore;
  const spoolDir = mkdtempSync(path.join(tmpdir(), 'telepacs-s3-spool-'));
  const spoolFiles = () => readdirSync(spoolDir);
  const bucketKeys = async () => {
    const listed = await server.client.send(new ListObjectsV2Command({ Bucket: server.bucket }));
    return (listed.Contents ?? []).map((object) => object.Key).sort();
  };

  before(async () => {
    server = await startS3Server();
    store = new S3BlobStore({ client: server.client, bucket: server.bucket, prefix: PREFIX, spoolDir });
  });
  after(async () => {
    await server?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('reads an incoming blob back before commit, then commits it as one object under its key, byte for byte', async () => {
    const chunks = [Buffer.from('DICM'), randomBytes(300_000), Buffer.from('end')];
    const whole = Buffer.concat(chunks);
    const blob = store.begin();
    for (const chunk of chunks) blob.write(chunk);
    assert.deepEqual(await blob.read(0, 4), Buffer.from('DICM'));
    assert.deepEqual(await blob.read(1000, 5000), whole.subarray(1000, 6000));
    assert.deepEqual(await blob.read(300_004, 100), Buffer.from('end'), 'fewer bytes at its end');
    assert.equal(spoolFiles().length, 1, 'spooled to a local file');
    assert.deepEqual(await blob.finish(), { size: 300_007 });
    assert.deepEqual(await blob.read(4, 10), whole.subarray(4, 14), 'readable after finish');
    assert.equal(await store.exists('study/series/one.dcm'), false, 'invisible before commit');
    await blob.commit('study/series/one.dcm');
    assert.ok((await store.get('study/series/one.dcm')).equals(whole));
    assert.deepEqual(await bucketKeys(), [`${PREFIX}/study/series/one.dcm`], 'under the prefix');
    assert.deepEqual(spoolFiles(), []);
    await blob.discard(); // after commit: nothing happens
    assert.equal(await store.exists('study/series/one.dcm'), true);
    await assert.rejects(blob.commit('study/series/again.dcm'), isCode('INTERNAL'));
    assert.throws(() => blob.write(Buffer.from('late')), /finished blob/);
  });

  it('reads ranges in the middle and at the end, and refuses ranges beyond the end', async () => {
    const data = randomBytes(10_000);
    await store.put('ranges/blob', data);
    assert.deepEqual(await store.getRange('ranges/blob', 1234, 4321), data.subarray(1234, 5555));
    assert.deepEqual(await store.getRange('ranges/blob', 9_990, 10), data.subarray(9_990));
    assert.deepEqual(await store.getRange('ranges/blob', 0, 1), data.subarray(0, 1));
    assert.deepEqual(await store.getRange('ranges/blob', 5, 0), Buffer.alloc(0));
    await assert.rejects(store.getRange('ranges/blob', 9_990, 11), isCode('STORAGE_FAILURE', /shorter than expected/));
    await assert.rejects(store.getRange('ranges/blob', 10_000, 1), isCode('STORAGE_FAILURE', /shorter than expected/));
    await assert.rejects(store.getRange('ranges/blob', 20_000, 100), isCode('STORAGE_FAILURE', /shorter than expected/));
  });

  it('uploads a 40 MB blob in parts and streams back the same bytes', async () => {
    const source = randomBytes(40 * 1000 * 1000);
    const sent = await recordCommands(server.client, async () => {
      const blob = store.begin();
      for (let offset = 0; offset < source.length; offset += MIB) blob.write(source.subarray(offset, offset + MIB));
      await blob.commit('large/multiframe.dcm');
    });
    const count = (name: string) => sent.filter((sentName) => sentName === name).length;
    assert.equal(count('PutObjectCommand'), 0, sent.join());
    assert.equal(count('CreateMultipartUploadCommand'), 1, sent.join());
    assert.equal(count('UploadPartCommand'), 3, 'parts of 16 MiB: 16 + 16 + 8');
    assert.equal(count('CompleteMultipartUploadCommand'), 1, sent.join());
    assert.equal(count('AbortMultipartUploadCommand'), 0, sent.join());
    const head = await server.client.send(new HeadObjectCommand({ Bucket: server.bucket, Key: `${PREFIX}/large/multiframe.dcm` }));
    assert.equal(head.ContentLength, source.length);
    const back = await readAll(store.stream('large/multiframe.dcm'));
    assert.equal(back.length, source.length);
    assert.equal(sha256(back), sha256(source));
    assert.deepEqual(await store.getRange('large/multiframe.dcm', 16 * MIB - 3, 6), source.subarray(16 * MIB - 3, 16 * MIB + 3), 'across a part boundary');
    assert.deepEqual(spoolFiles(), []);
  });

  it('sends a small blob as one PutObject with a SHA-256', async () => {
    const sent = await recordCommands(server.client, () => store.put('small/one', Buffer.from('small')));
    assert.deepEqual(sent, ['PutObjectCommand']);
  });

  it('leaves nothing behind when discarded, before finish, after finish and during the upload', async () => {
    const before = await bucketKeys();
    const early = store.begin();
    early.write(randomBytes(1000));
    await early.discard();
    const late = store.begin();
    late.write(randomBytes(1000));
    await late.finish();
    await late.discard();
    await late.discard(); // more than once
    assert.deepEqual(spoolFiles(), []);
    await assert.rejects(late.commit('never/here.dcm'), isCode('INTERNAL'));

    // discarded as its first part goes out: the upload is abandoned
    const partStore = new S3BlobStore({ client: server.client, bucket: server.bucket, prefix: PREFIX, spoolDir, partSizeBytes: 5 * MIB });
    const during = partStore.begin();
    during.write(randomBytes(12 * MIB));
    let discarding: Promise<void> | undefined;
    const sent = await recordCommands(server.client, async () => {
      server.client.middlewareStack.add((next, context) => (args) => {
        if (context.commandName === 'UploadPartCommand') discarding ??= during.discard();
        return next(args);
      }, { step: 'initialize', name: 'discard-at-first-part' });
      try {
        await assert.rejects(during.commit('never/during.dcm'), isCode('STORAGE_FAILURE', /cancelled/));
        assert.ok(discarding, 'discarded during the upload');
        await discarding;
      } finally {
        server.client.middlewareStack.remove('discard-at-first-part');
      }
    });
    assert.ok(!sent.includes('CompleteMultipartUploadCommand'), sent.join());
    assert.ok(sent.includes('AbortMultipartUploadCommand'), sent.join());
    assert.equal(await store.exists('never/during.dcm'), false);
    assert.equal(await store.exists('never/here.dcm'), false);
    assert.deepEqual(await bucketKeys(), before);
    assert.deepEqual(spoolFiles(), []);
  });

  it('reports an absent key as NOT_FOUND and exists() false', async () => {
    await assert.rejects(store.get('absent/key'), isCode('NOT_FOUND', /absent\/key/));
    await assert.rejects(store.getRange('absent/key', 0, 10), isCode('NOT_FOUND'));
    await assert.rejects(readAll(store.stream('absent/key')), isCode('NOT_FOUND'));
    assert.equal(await store.exists('absent/key'), false);
    await store.delete('absent/key'); // no error
  });

  it('deletes, and replaces an existing key with a put or a commit', async () => {
    await store.put('replace/me', Buffer.from('the first version, longer'));
    await store.put('replace/me', Buffer.from('second'));
    assert.deepEqual(await store.get('replace/me'), Buffer.from('second'));
    const blob = store.begin();
    blob.write(Buffer.from('third, by commit'));
    await blob.commit('replace/me');
    assert.deepEqual(await store.get('replace/me'), Buffer.from('third, by commit'));
    assert.equal(await store.exists('replace/me'), true);
    await store.delete('replace/me');
    assert.equal(await store.exists('replace/me'), false);
    await assert.rejects(store.get('replace/me'), isCode('NOT_FOUND'));
  });

  it('refuses keys that are not relative paths of safe characters, and keeps nothing', async () => {
    const before = await bucketKeys();
    for (const key of ['../escape.dcm', 'a/../b', 'a//b', '/abs', 'a/./b', 'sp ace']) {
      await assert.rejects(store.put(key, Buffer.from('x')), isCode('INTERNAL', /invalid blob key/), key);
      await assert.rejects(store.get(key), isCode('INTERNAL', /invalid blob key/), key);
      await assert.rejects(store.getRange(key, 0, 1), isCode('INTERNAL', /invalid blob key/), key);
      await assert.rejects(store.delete(key), isCode('INTERNAL', /invalid blob key/), key);
      assert.throws(() => store.stream(key), isCode('INTERNAL', /invalid blob key/), key);
      assert.equal(await store.exists(key), false, key);
    }
    const blob = store.begin();
    blob.write(Buffer.from('x'));
    await assert.rejects(blob.commit('../escape.dcm'), isCode('INTERNAL', /invalid blob key/));
    await blob.discard();
    assert.deepEqual(spoolFiles(), []);
    assert.deepEqual(await bucketKeys(), before);
  });

  it('passes check() and leaves no probe behind', async () => {
    await store.check();
    assert.deepEqual((await bucketKeys()).filter((key) => key?.includes('.health')), []);
  });

  it('removes spool files older than an hour at the first begin()', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-s3-stale-'));
    try {
      const old = new Date(Date.now() - 2 * 60 * 60_000);
      for (const name of ['1-old.spool', 'keep.txt']) {
        writeFileSync(path.join(dir, name), 'left by a crash');
        utimesSync(path.join(dir, name), old, old);
      }
      writeFileSync(path.join(dir, '2-recent.spool'), 'another process at work');
      const blob = new S3BlobStore({ client: server.client, bucket: server.bucket, spoolDir: dir }).begin();
      await until('the stale spool file removed', async () => !readdirSync(dir).includes('1-old.spool'), 5_000);
      await blob.discard();
      assert.deepEqual(readdirSync(dir).sort(), ['2-recent.spool', 'keep.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no object when the server refuses a part mid-way, and aborts the upload', async () => {
    const proxy = await startRefusingProxy(server.endpoint, (request) =>
      request.method === 'PUT' && /[?&]partNumber=2(&|$)/.test(request.url ?? '') ? { status: 507, code: 'InsufficientStorage' } : undefined,
    );
    try {
      const viaProxy = new S3BlobStore({ client: proxy.client, bucket: server.bucket, prefix: PREFIX, spoolDir, partSizeBytes: 5 * MIB });
      const blob = viaProxy.begin();
      blob.write(randomBytes(12 * MIB));
      await assert.rejects(blob.commit('refused/multipart.dcm'), (error: unknown) => {
        isCode('STORAGE_FAILURE', /out of space \(InsufficientStorage, HTTP 507\)/)(error);
        assert.equal((error as ArchiveError).details.outOfSpace, true);
        assert.match((error as ArchiveError).message, new RegExp(server.bucket));
        return true;
      });
      assert.ok(proxy.seen.some((line) => /^PUT .*partNumber=2/.test(line)), proxy.seen.join('\n'));
      assert.ok(proxy.seen.some((line) => /^DELETE .*uploadId=/.test(line)), `the upload was aborted:\n${proxy.seen.join('\n')}`);
      assert.ok(!proxy.seen.some((line) => /^POST .*uploadId=/.test(line)), 'never completed');
      assert.equal(await store.exists('refused/multipart.dcm'), false);
      assert.deepEqual(spoolFiles(), []);
    } finally {
      await proxy.stop();
    }
  });

  it('keeps the previous blob when the server refuses its replacement (a quota exceeded)', async () => {
    await store.put('refused/single.dcm', Buffer.from('the previous version'));
    const proxy = await startRefusingProxy(server.endpoint, (request) => (request.method === 'PUT' ? { status: 403, code: 'QuotaExceeded' } : undefined));
    try {
      const viaProxy = new S3BlobStore({ client: proxy.client, bucket: server.bucket, prefix: PREFIX, spoolDir });
      const blob = viaProxy.begin();
      blob.write(Buffer.from('the replacement'));
      await assert.rejects(blob.commit('refused/single.dcm'), isCode('STORAGE_FAILURE', /out of space \(QuotaExceeded, HTTP 403\)/));
      await assert.rejects(viaProxy.put('refused/other.dcm', Buffer.from('x')), isCode('STORAGE_FAILURE', /out of space/));
      assert.deepEqual(await store.get('refused/single.dcm'), Buffer.from('the previous version'));
      assert.equal(await store.exists('refused/other.dcm'), false);
      assert.deepEqual(spoolFiles(), []);
    } finally {
      await proxy.stop();
    }
  });

  it('checks the SHA-256 that the server gives with a whole blob, and reports a mismatch', async () => {
    const data = Buffer.from('the bytes as uploaded');
    await store.put('checksum/blob', data);
    let claimed = createHash('sha256').update(data).digest('base64');
    // s3rver keeps no checksums: the proxy adds the one S3 would send back
    const proxy = await startRefusingProxy(server.endpoint, () => undefined, (request): Record<string, string> =>
      request.method === 'GET' && !request.headers.range ? { 'x-amz-checksum-sha256': claimed } : {},
    );
    try {
      const viaProxy = new S3BlobStore({ client: proxy.client, bucket: server.bucket, prefix: PREFIX, spoolDir });
      assert.deepEqual(await viaProxy.get('checksum/blob'), data);
      assert.deepEqual(await readAll(viaProxy.stream('checksum/blob')), data);
      claimed = createHash('sha256').update('other bytes').digest('base64');
      await assert.rejects(viaProxy.get('checksum/blob'), isCode('STORAGE_FAILURE', /checksum mismatch/));
      await assert.rejects(readAll(viaProxy.stream('checksum/blob')), isCode('STORAGE_FAILURE', /checksum mismatch/));
      assert.deepEqual(await viaProxy.getRange('checksum/blob', 4, 5), data.subarray(4, 9), 'ranges carry no checksum');
    } finally {
      await proxy.stop();
    }
  });

  it('fails check() clearly when the server is down', async () => {
    const other = await startS3Server();
    try {
      const otherStore = new S3BlobStore({ client: other.client, bucket: other.bucket, spoolDir });
      await otherStore.check();
      const client = createS3Client({ endpoint: other.endpoint, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
      try {
        const downStore = new S3BlobStore({ client, bucket: other.bucket, spoolDir });
        await other.stop();
        await assert.rejects(downStore.check(), isCode('STORAGE_FAILURE', new RegExp(`s3://${other.bucket}/.*ECONNREFUSED`)));
        assert.deepEqual(spoolFiles(), []);
      } finally {
        client.destroy();
      }
    } finally {
      await other.stop();
    }
  });

  it('reports a spool it cannot write to as STORAGE_FAILURE at finish, and commits nothing', async () => {
    const file = path.join(spoolDir, 'not-a-directory');
    writeFileSync(file, 'in the way');
    try {
      const broken = new S3BlobStore({ client: server.client, bucket: server.bucket, prefix: PREFIX, spoolDir: file });
      const blob = broken.begin();
      blob.write(Buffer.from('x'));
      await assert.rejects(blob.read(0, 1), isCode('STORAGE_FAILURE'));
      await assert.rejects(blob.finish(), isCode('STORAGE_FAILURE', /ENOTDIR|EEXIST/));
      await assert.rejects(blob.commit('broken/spool.dcm'), ArchiveError);
      await blob.discard();
      assert.equal(await store.exists('broken/spool.dcm'), false);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('reads objects that other processes wrote under the prefix', async () => {
    await server.client.send(new PutObjectCommand({ Bucket: server.bucket, Key: `${PREFIX}/foreign/object`, Body: Buffer.from('written elsewhere') }));
    assert.deepEqual(await store.get('foreign/object'), Buffer.from('written elsewhere'));
  });
});

describe('parseStorageUrl', () => {
  it('reads s3:// and file:// URLs', () => {
    assert.deepEqual(parseStorageUrl('s3://telepacs-archive/site-a/blobs'), { kind: 's3', bucket: 'telepacs-archive', prefix: 'site-a/blobs' });
    assert.deepEqual(parseStorageUrl('s3://telepacs-archive/site-a/'), { kind: 's3', bucket: 'telepacs-archive', prefix: 'site-a' });
    assert.deepEqual(parseStorageUrl('s3://telepacs-archive'), { kind: 's3', bucket: 'telepacs-archive', prefix: '' });
    assert.deepEqual(parseStorageUrl('file:///var/lib/telepacs/blobs'), { kind: 'file', path: '/var/lib/telepacs/blobs' });
  });

  it('refuses anything else with a message that says what is expected, and never repeats credentials', () => {
    assert.throws(() => parseStorageUrl('/var/lib/blobs'), /expected s3:\/\/bucket\/prefix or file:\/\/\/absolute\/path/);
    assert.throws(() => parseStorageUrl('https://bucket.s3.amazonaws.com/x'), /expected s3:\/\/bucket\/prefix/);
    assert.throws(() => parseStorageUrl('s3://Bad_Bucket/x'), /not a valid bucket name/);
    assert.throws(() => parseStorageUrl('s3://bucket-name/a/../b'), /prefix "a\/..\/b"/);
    assert.throws(() => parseStorageUrl('s3://bucket-name/a//b'), /prefix/);
    assert.throws(() => parseStorageUrl('s3://bucket-name/a?versioning'), /without query/);
    assert.throws(() => parseStorageUrl('file://server/share'), /file:\/\/\/absolute\/path/);
    assert.throws(
      () => parseStorageUrl('s3://AKIAEXAMPLE:s3cr3t@bucket-name/x'),
      (error: Error) => /credentials do not belong in the URL/.test(error.message) && !error.message.includes('s3cr3t'),
    );
  });
});
