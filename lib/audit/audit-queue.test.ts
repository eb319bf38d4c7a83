import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { silentLogger } from '../../pacs-core/logger';
import { AuditJournal, readSegment } from './audit-journal';
import { AuditQueue } from './audit-queue';

const read = (n: number) => ({ actor: 'doctor@north.example', action: 'dicomweb.wado' as const, outcome: 'SUCCESS' as const, resource: `/frames/${n}` });

describe('the journalled audit queue', () => {
  let testDb: TestDatabase;
  let dir: string;
  before(async () => {
    testDb = await createTestDatabase();
  });
  after(async () => {
    await testDb.cleanup();
  });
  const journalIn = (name: string) => {
    dir = mkdtempSync(path.join(tmpdir(), `telepacs-journal-${name}-`));
    return new AuditJournal(dir, silentLogger);
  };

  it('commits each event once, with the id and time stamped at access, and leaves no segment after a clean close', async () => {
    const queue = new AuditQueue(testDb.db, silentLogger, journalIn('clean'));
    const before = new Date();
    for (let n = 0; n < 3; n++) queue.enqueue(read(n));
    assert.equal(readdirSync(dir).length, 1, 'journalled at once, before any commit');
    await queue.flush(true);
    const rows = await testDb.db.auditEvent.findMany({ where: { resource: { startsWith: '/frames/' } }, orderBy: [{ at: 'asc' }, { id: 'asc' }] });
    assert.deepEqual(rows.map((row) => row.resource), ['/frames/0', '/frames/1', '/frames/2'], 'ids keep the order of access');
    assert.ok(rows.every((row) => row.at >= before && row.id.startsWith('c') && row.id.length === 25));
    assert.deepEqual(readdirSync(dir), []);
    rmSync(dir, { recursive: true });
  });

  it('keeps the segment of a batch the database refused, and a later start inserts only what is missing', async () => {
    const broken = await createTestDatabase();
    const journal = journalIn('refused');
    try {
      await broken.db.$executeRawUnsafe('DROP TABLE "AuditEvent"');
      const failing = new AuditQueue(broken.db, silentLogger, journal);
      for (let n = 10; n < 14; n++) failing.enqueue(read(n));
      await failing.flush(true);
    } finally {
      await broken.cleanup();
    }
    const [segment] = readdirSync(dir);
    assert.ok(segment, 'the refused batch is still on disk');
    // One of them had made it in before (a commit whose segment was not yet removed)
    const [committedBefore] = readSegment(path.join(dir, segment), silentLogger);
    await testDb.db.auditEvent.createMany({ data: [committedBefore] });
    const restarted = new AuditQueue(testDb.db, silentLogger, new AuditJournal(dir, silentLogger));
    assert.equal(await restarted.replayJournal(), 3);
    assert.equal(await restarted.replayJournal(), 0, 'a second replay adds nothing');
    assert.equal(await testDb.db.auditEvent.count({ where: { resource: { in: ['/frames/10', '/frames/11', '/frames/12', '/frames/13'] } } }), 4);
    assert.deepEqual(readdirSync(dir), []);
    rmSync(dir, { recursive: true });
  });
});
