// Issue 20, failure drill: the image store runs out of room (a file system
// that is full; here a small tmpfs the test mounts). Images that do not fit
// are refused precisely — C-STORE 0xA700 "image store full", STOW-RS failure
// reason 0xA700 — with nothing half-written (no temp file, no row without its
// file); reads go on; /api/health says "degraded: storage full" (200: a
// balancer keeps the process for reads); the administration's Storage page
// says so; and once there is room the modality's retry completes the study.
// Runs in the SQLite phase only: nothing here depends on the database.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, listFiles, storescu, writeTempFiles } from '../support/dcmtk';
import { makeStudy } from '../support/fixtures';
import { startNodeProcess, type NodeProcess } from '../support/node-process';
import { stowBody } from '../support/stow';
import { testDatabaseKind } from '../support/test-database';

const MIB = 1024 * 1024;

/** A tmpfs of `sizeMiB` at a new temp dir, or undefined where mounting is not allowed */
function mountTmpfs(sizeMiB: number): string | undefined {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-full-store-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status === 0) return dir;
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

const canMount = (() => {
  if (testDatabaseKind() !== 'sqlite') return false;
  const probe = mountTmpfs(1);
  if (!probe) return false;
  execFileSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return true;
})();

const skip =
  testDatabaseKind() !== 'sqlite'
    ? 'runs in the SQLite phase (nothing here depends on the database)'
    : !canMount && !process.env.CI
      ? 'needs to mount a tmpfs (root, or CAP_SYS_ADMIN)'
      : undefined;

describe('the image store runs out of room', { skip }, () => {
  let store: string;
  let node: NodeProcess;
  let dicomPort: number;
  const filler = () => path.join(store, 'filler.bin');

  before(async () => {
    const mounted = mountTmpfs(24);
    assert.ok(mounted, 'a tmpfs could be mounted');
    store = mounted;
    mkdirSync(path.join(store, 'images'));
    dicomPort = await freePort();
    node = await startNodeProcess({
      name: 'Full store',
      database: 'sqlite',
      env: { STORAGE_URL: `file://${path.join(store, 'images')}`, DICOM_PORT: String(dicomPort), DICOM_PEERS: `CT1@127.0.0.1:${await freePort()}` },
    });
    // Room for about ten 512×512 images: the rest of the file system is taken
    writeFileSync(filler(), Buffer.alloc(19 * MIB, 1));
  });
  after(async () => {
    await node?.stop();
    if (store) {
      spawnSync('umount', [store]);
      rmSync(store, { recursive: true, force: true });
    }
  });

  const health = async () => {
    const response = await fetch(`${node.url}/api/health`);
    return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
  };
  const facilityId = async () => (await node.db.facility.findFirstOrThrow()).id;
  const storeView = async () => {
    const response = await node.api('GET', `/api/admin/facilities/${await facilityId()}/storage`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { store: { state: string; message?: string; refused?: { count: number } } }).store;
  };

  it('refuses what does not fit precisely, keeps what was stored, says so, and takes the retry once there is room', async () => {
    assert.deepEqual((await health()).body, { status: 'ok' });
    const study = makeStudy({ patientId: 'FULL-1', series: 1, instancesPerSeries: 30, rows: 512, columns: 512, seed: 'storage-full' });
    const temp = writeTempFiles(study);
    try {
      const first = await storescu({ port: dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT1', noHalt: true });
      const acknowledged = first.responses.filter((response) => response.ok).length;
      const refused = first.responses.filter((response) => !response.ok);
      assert.ok(acknowledged > 0 && refused.length > 0, `some fit, some did not (${acknowledged} stored)`);
      assert.ok(refused.every((response) => response.status === 'Refused: OutOfResources'), [...new Set(refused.map((response) => response.status))].join(', '));

      // Nothing half-written: one file per row, no temp file left
      const rows = await node.db.instance.count();
      const images = () => listFiles(path.join(store, 'images'), 10);
      assert.equal(rows, acknowledged);
      assert.equal(images().filter((file) => !file.includes(`${path.sep}.health${path.sep}`)).length, acknowledged, 'no file without its row');
      assert.deepEqual(readdirSync(path.join(store, 'images', '.incoming')), [], 'no temp file left');

      // STOW-RS: the failure names out of resources
      const { body, contentType } = stowBody([study[study.length - 1]]);
      const stow = await fetch(`${node.url}/dicomweb/studies`, { method: 'POST', headers: { authorization: node.adminAuthorization, 'content-type': contentType, accept: 'application/dicom+json' }, body: new Uint8Array(body) });
      const answer = (await stow.json()) as Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }>;
      const failed = answer['00081198']?.Value?.[0];
      assert.equal(failed?.['00081197']?.Value?.[0], 0xa700, `STOW ${stow.status}: failure reason out of resources`);

      // Reads go on; health and the administration say the store is full
      const read = await fetch(`${node.url}/dicomweb/studies?PatientID=FULL-1`, { headers: { authorization: node.adminAuthorization, accept: 'application/dicom+json' } });
      assert.equal(read.status, 200);
      assert.deepEqual([(await health()).status, (await health()).body.status, (await health()).body.reason], [200, 'degraded', 'storage full']);
      const full = await storeView();
      assert.equal(full.state, 'full');
      assert.match(full.message ?? '', /^image store full \(ENOSPC\); nothing stored of /, 'the error (also the C-STORE error comment) says why');
      assert.ok((full.refused?.count ?? 0) >= refused.length, 'the refusals are counted');
      const page = await node.api('GET', `/admin/${await facilityId()}/storage`);
      assert.match(await page.text(), /The image store is full: images sent now are refused\./);

      // Room again: the modality's retry completes the study, and the alarm is gone
      rmSync(filler());
      const retry = await storescu({ port: dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT1' });
      assert.equal(retry.responses.filter((response) => response.ok).length, study.length);
      assert.equal(await node.db.instance.count(), study.length);
      assert.deepEqual((await health()).body, { status: 'ok' });
      assert.equal((await storeView()).state, 'ok');
    } finally {
      temp.cleanup();
    }
  });
});
