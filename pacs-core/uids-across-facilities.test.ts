// Each facility holds its own copy of a study (docs/architecture.md, "A study
// is held per facility"): facility B storing facility A's UIDs neither fails
// because of A nor changes what A sees; identical bytes are stored once; a
// reader who may see several copies sees one, the oldest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { createArchiveHarness, type ArchiveHarness } from '../test/support/archive-harness';
import { instanceUids, makeInstance, makeStudy, makeUid } from '../test/support/fixtures';
import { filesUnder } from '../test/support/stow';
import type { AccessScope } from './access';
import { deleteStudy } from './delete-study';
import { resolveRetrieve } from './dimse/retrieve';
import { ArchiveError } from './errors';
import { findInstances, findSeries, findStudies, findVisibleStudy, parseQidoQuery } from './index';

const origin = { kind: 'stow', principalLabel: 'test' } as const;

/** Directories under dir (recursively) that hold nothing */
function emptyDirectories(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.incoming') continue;
    const full = path.join(dir, entry.name);
    if (readdirSync(full).length === 0) out.push(full);
    else out.push(...emptyDirectories(full));
  }
  return out;
}

describe('UIDs across facilities', () => {
  let h: ArchiveHarness;
  let storeDir: string;
  const a = () => h.facilityId;
  const b = () => h.otherFacilityId;
  before(async () => {
    h = await createArchiveHarness();
    storeDir = path.join(h.dataDir, 'store');
  });
  after(async () => {
    await h.cleanup();
  });

  async function rowsOf(facilityId: string, studyInstanceUid: string) {
    return h.db.study.findUnique({
      where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid } },
      select: {
        id: true,
        description: true,
        numberOfSeries: true,
        numberOfInstances: true,
        updatedAt: true,
        series: { select: { id: true, numberOfInstances: true, metadataVersion: true, instances: { select: { id: true, blobKey: true, sha256: true } } } },
      },
    });
  }

  it("stores B's copy of A's study (same UIDs) as a new study, leaving A's rows and files as they were", async () => {
    const study = makeStudy({ seed: 'uids-same', series: 2, instancesPerSeries: 2 });
    for (const file of study) await h.archive.ingest(file, origin, a());
    const aBefore = await rowsOf(a(), study.studyInstanceUid);
    const filesBefore = filesUnder(storeDir).length;

    const results = [];
    for (const file of study) results.push(await h.archive.ingest(file, origin, b()));
    assert.deepEqual(results.map((result) => [result.status, result.facilityId]), study.map(() => ['stored', b()]), 'stored, as a new study would be');

    assert.deepEqual(await rowsOf(a(), study.studyInstanceUid), aBefore, "A's study, series and instance rows unchanged");
    const bCopy = await rowsOf(b(), study.studyInstanceUid);
    assert.ok(bCopy);
    assert.deepEqual([bCopy.numberOfSeries, bCopy.numberOfInstances], [2, 4]);
    assert.notEqual(bCopy.id, aBefore?.id);
    // Identical bytes are stored once: B's rows point at A's files
    assert.equal(filesUnder(storeDir).length, filesBefore, 'no new file for identical bytes');
    const keys = (copy: NonNullable<typeof bCopy>) => copy.series.flatMap((series) => series.instances.map((instance) => instance.blobKey)).sort();
    assert.deepEqual(keys(bCopy), keys(aBefore!));
    for (const key of keys(bCopy)) assert.ok(await h.archive.store.exists(key));
    assert.deepEqual(readdirSync(path.join(storeDir, '.incoming')), [], 'the incoming temp files were discarded');
  });

  it("stores different bytes under A's UIDs in B as a second file, and A's bytes stay A's", async () => {
    const aStudy = makeStudy({ seed: 'uids-diff', series: 1, instancesPerSeries: 2, studyDescription: 'A HEAD' });
    const bStudy = makeStudy({ seed: 'uids-diff', series: 1, instancesPerSeries: 2, studyDescription: 'B HEAD' });
    assert.deepEqual(bStudy.sopInstanceUids, aStudy.sopInstanceUids);
    for (const file of aStudy) await h.archive.ingest(file, origin, a());
    const filesBefore = filesUnder(storeDir).length;
    for (const file of bStudy) assert.equal((await h.archive.ingest(file, origin, b())).status, 'stored');
    assert.equal(filesUnder(storeDir).length, filesBefore + 2, 'one more file per instance');

    const aCopy = await rowsOf(a(), aStudy.studyInstanceUid);
    const bCopy = await rowsOf(b(), aStudy.studyInstanceUid);
    assert.deepEqual([aCopy?.description, bCopy?.description], ['A HEAD', 'B HEAD']);
    const aInstances = aCopy!.series[0].instances;
    for (const instance of aInstances) {
      const bytes = await h.archive.store.get(instance.blobKey);
      assert.ok(aStudy.some((file) => file.equals(bytes)), "A's key still holds A's bytes");
    }
    for (const instance of bCopy!.series[0].instances) {
      assert.ok(!aInstances.some((other) => other.blobKey === instance.blobKey), 'B has keys of its own');
      assert.match(instance.blobKey, /\.[0-9a-f]{16}\.dcm$/);
      const bytes = await h.archive.store.get(instance.blobKey);
      assert.ok(bStudy.some((file) => file.equals(bytes)));
    }
  });

  it('applies the duplicate rule per facility: identical is success, different is refused, the other facility is untouched', async () => {
    const first = makeStudy({ seed: 'uids-dup', series: 1, instancesPerSeries: 1, studyDescription: 'FIRST' });
    const changed = makeStudy({ seed: 'uids-dup', series: 1, instancesPerSeries: 1, studyDescription: 'CHANGED' });
    await h.archive.ingest(first[0], origin, a());
    await h.archive.ingest(first[0], origin, b());
    assert.equal((await h.archive.ingest(first[0], origin, b())).status, 'duplicate');
    const aBefore = await rowsOf(a(), first.studyInstanceUid);
    const filesBefore = filesUnder(storeDir).length;
    await assert.rejects(h.archive.ingest(changed[0], origin, b()), (error: unknown) => error instanceof ArchiveError && error.code === 'DUPLICATE_CONFLICT');
    assert.equal(filesUnder(storeDir).length, filesBefore, 'a refused store leaves no file');
    assert.deepEqual(await rowsOf(a(), first.studyInstanceUid), aBefore);
    const key = aBefore!.series[0].instances[0].blobKey;
    assert.ok((await h.archive.store.get(key)).equals(first[0]), 'the shared file still holds the first bytes');
  });

  it('stores one UID into two facilities at once: both copies complete, one file per image', async () => {
    const study = makeStudy({ seed: 'uids-race', series: 2, instancesPerSeries: 3 });
    const filesBefore = filesUnder(storeDir).length;
    const results = await Promise.all(study.flatMap((file) => [h.archive.ingest(file, origin, a()), h.archive.ingest(file, origin, b())]));
    assert.ok(results.every((result) => result.status === 'stored'));
    for (const facilityId of [a(), b()]) {
      const copy = await rowsOf(facilityId, study.studyInstanceUid);
      assert.deepEqual([copy?.numberOfSeries, copy?.numberOfInstances], [2, 6]);
      assert.deepEqual(copy?.series.map((series) => series.numberOfInstances), [3, 3]);
    }
    assert.equal(filesUnder(storeDir).length, filesBefore + 6);
  });

  it("deletes B's copy without touching A's files, and the last copy's deletion removes them and their directories", async () => {
    const shared = makeStudy({ seed: 'uids-del-shared', series: 1, instancesPerSeries: 2 });
    const own = makeStudy({ seed: 'uids-del-shared', series: 1, instancesPerSeries: 2, studyDescription: 'B OWN' });
    for (const file of shared) await h.archive.ingest(file, origin, a());
    await h.archive.ingest(shared[0], origin, b()); // identical: shares A's file
    await h.archive.ingest(own[1], origin, b()); // different: a file of its own
    const aKeys = (await rowsOf(a(), shared.studyInstanceUid))!.series[0].instances.map((instance) => instance.blobKey);

    const deleted = await deleteStudy(h.archive, shared.studyInstanceUid, b());
    assert.deepEqual([deleted.instances, deleted.filesShared, deleted.filesLeft], [2, 1, 0]);
    for (const key of aKeys) assert.ok(await h.archive.store.exists(key), `A's ${key} kept`);
    assert.ok(await rowsOf(a(), shared.studyInstanceUid), "A's copy is still there");
    assert.equal(filesUnder(path.join(storeDir, shared.studyInstanceUid)).length, 2, "only A's two files are left");

    await deleteStudy(h.archive, shared.studyInstanceUid, a());
    for (const key of aKeys) assert.equal(await h.archive.store.exists(key), false);
    assert.deepEqual(emptyDirectories(storeDir), [], 'no empty directory left');
  });

  it('leaves no file and no empty directory when a store is refused', async () => {
    const seriesUid = makeUid('uids-refused-series');
    const first = makeInstance({ seed: 'uids-refused-1', seriesInstanceUid: seriesUid });
    const options = { seed: 'uids-refused-2', seriesInstanceUid: seriesUid, sopInstanceUid: makeUid('uids-refused-sop-2') };
    const second = Object.assign([makeInstance(options)], instanceUids(options));
    await h.archive.ingest(first, origin, a());
    // The same Series Instance UID in another study of the same facility is refused
    await assert.rejects(h.archive.ingest(second[0], origin, a()), (error: unknown) => error instanceof ArchiveError && error.code === 'UID_CONFLICT');
    assert.deepEqual(filesUnder(path.join(storeDir, second.studyInstanceUid)), []);
    assert.deepEqual(emptyDirectories(storeDir), [], 'no empty directory left');
    // In another facility the same store is a study of its own
    assert.equal((await h.archive.ingest(second[0], origin, b())).status, 'stored');
  });

  describe('reading', () => {
    const older = makeStudy({ seed: 'uids-read', series: 1, instancesPerSeries: 2, studyDescription: 'OLDER A' });
    const newer = makeStudy({ seed: 'uids-read', series: 1, instancesPerSeries: 2, studyDescription: 'NEWER B' });
    const bOnly = makeStudy({ seed: 'uids-read-b-only', series: 1, instancesPerSeries: 1, studyDescription: 'B ONLY' });
    before(async () => {
      for (const file of older) await h.archive.ingest(file, origin, a());
      for (const file of newer) await h.archive.ingest(file, origin, b());
      for (const file of bOnly) await h.archive.ingest(file, origin, b());
    });

    const descriptions = async (scope: AccessScope, uid: string) =>
      (await findStudies(h.db, parseQidoQuery('study', new URLSearchParams(`StudyInstanceUID=${uid}&includefield=StudyDescription`)), scope)).matches.map(
        (match) => match['00081030']?.Value?.[0],
      );

    it('shows each facility its own copy', async () => {
      assert.deepEqual(await descriptions({ kind: 'facilities', facilityIds: [a()] }, older.studyInstanceUid), ['OLDER A']);
      assert.deepEqual(await descriptions({ kind: 'facilities', facilityIds: [b()] }, older.studyInstanceUid), ['NEWER B']);
      assert.equal((await findVisibleStudy(h.db, older.studyInstanceUid, { kind: 'facilities', facilityIds: [b()] }))?.facilityId, b());
    });

    it('shows a member of both facilities, and the all scope, one copy (the older) and no duplicate rows', async () => {
      for (const scope of [{ kind: 'facilities', facilityIds: [b(), a()] }, { kind: 'all' }] as AccessScope[]) {
        assert.deepEqual(await descriptions(scope, older.studyInstanceUid), ['OLDER A']);
        assert.equal((await findVisibleStudy(h.db, older.studyInstanceUid, scope))?.facilityId, a());
        const series = await findSeries(h.db, parseQidoQuery('series', new URLSearchParams(`StudyInstanceUID=${older.studyInstanceUid}`)), scope);
        assert.equal(series.matches.length, 1);
        const instances = await findInstances(h.db, parseQidoQuery('instance', new URLSearchParams(`StudyInstanceUID=${older.studyInstanceUid}`)), scope);
        assert.equal(instances.matches.length, 2);
        const retrieve = await resolveRetrieve(h.db, 'study', { QueryRetrieveLevel: 'STUDY', StudyInstanceUID: older.studyInstanceUid }, scope);
        assert.deepEqual(retrieve.instances.map((instance) => instance.facilityId), [a(), a()]);
        // B's other study is there once too
        assert.deepEqual(await descriptions(scope, bOnly.studyInstanceUid), ['B ONLY']);
      }
    });

    /** A grantee holding one active grant on this facility's copy of the UID (none when that facility has no copy). */
    async function granteeOn(facilityId: string, uid: string): Promise<AccessScope> {
      const user = await h.db.user.create({ data: { email: `grantee-${facilityId}-${uid}@test`, name: 'Grantee', passwordHash: 'x' } });
      const copy = await h.db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId, studyInstanceUid: uid } }, select: { id: true } });
      if (copy) {
        await h.db.accessGrant.create({
          data: { granteeUserId: user.id, studyRef: copy.id, studyFacilityId: facilityId, studyInstanceUid: uid, purpose: 'TELECONSULTATION' },
        });
      }
      return { kind: 'facilities', facilityIds: [], grantee: { userId: user.id, serviceIds: [] } };
    }

    it("does not reveal B's copy through a grant on A's copy", async () => {
      const granted = await granteeOn(a(), older.studyInstanceUid);
      assert.deepEqual(await descriptions(granted, older.studyInstanceUid), ['OLDER A']);
      const grantOnB = await granteeOn(b(), older.studyInstanceUid);
      assert.deepEqual(await descriptions(grantOnB, older.studyInstanceUid), ['NEWER B']);
      const grantOnMissing = await granteeOn(a(), bOnly.studyInstanceUid);
      assert.deepEqual(await descriptions(grantOnMissing, bOnly.studyInstanceUid), [], "a grant naming A does not show B's study of that UID");
      assert.equal(await findVisibleStudy(h.db, bOnly.studyInstanceUid, grantOnMissing), null);
    });
  });
});
