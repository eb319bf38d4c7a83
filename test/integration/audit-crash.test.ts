// Read-access audit survives a crash: a server answering DICOMweb reads is
// killed with SIGKILL right after its last answer, before its group commit
// (the test holds the audit table's write lock, so no batch can commit);
// after a restart on the same DATA_DIR and database every answered request
// has its audit row, exactly once — also when a segment's rows were already
// in the table (a process killed between its commit and the segment's removal).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { createDatabase, type Database } from '../../prisma/database';
import { sqliteFileFromEnv } from '../../prisma/database-url';
import { basicAuthHeader } from '../support/dicomweb-client';
import { killOnExit, stopProcess } from '../support/dcmtk';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { spawnTelepacsNode } from '../support/telepacs-process';
import { createScratchDatabaseUrl, testDatabaseKind } from '../support/test-database';

const EMAIL = 'admin@crash.test';
const PASSWORD = 'crash test password 1';
const authorization = basicAuthHeader(EMAIL, PASSWORD);

interface Node {
  child: ChildProcess;
  dicomwebUrl: string;
  exited: Promise<void>;
}

describe('read-access audit across a kill -9', { timeout: 5 * 60_000 }, () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-audit-crash-'));
  const journalDir = path.join(dataDir, 'audit-journal');
  let scratch: Awaited<ReturnType<typeof createScratchDatabaseUrl>>;
  let db: Database;
  const running: ChildProcess[] = [];

  async function startNode(): Promise<Node> {
    const { child, ready } = await spawnTelepacsNode({
      DATA_DIR: dataDir,
      ADMIN_EMAIL: EMAIL,
      ADMIN_PASSWORD: PASSWORD,
      ...(scratch.databaseUrl ? { DATABASE_URL: scratch.databaseUrl } : {}),
    });
    running.push(child);
    killOnExit(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return { child, dicomwebUrl: ready.dicomwebUrl, exited };
  }

  /** Holds the audit table's write lock (reads go on): the server's group commit waits, as if the crash came first. */
  async function lockAuditWrites(): Promise<() => Promise<void>> {
    if (testDatabaseKind() === 'postgres') {
      const client = new pg.Client({ connectionString: scratch.databaseUrl });
      await client.connect();
      await client.query('BEGIN');
      await client.query('LOCK TABLE "AuditEvent" IN EXCLUSIVE MODE');
      return async () => {
        await client.query('ROLLBACK');
        await client.end();
      };
    }
    const sqlite = new BetterSqlite3(sqliteFileFromEnv({ DATA_DIR: dataDir }).slice('file:'.length));
    sqlite.exec('BEGIN IMMEDIATE');
    return async () => {
      sqlite.exec('ROLLBACK');
      sqlite.close();
    };
  }

  before(async () => {
    scratch = await createScratchDatabaseUrl();
  });
  after(async () => {
    for (const child of running) await stopProcess(child);
    await db?.$disconnect();
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('records every answered read exactly once after a restart', async () => {
    const first = await startNode();
    const study = makeStudy({ patientId: 'CRASH-1', patientName: 'Crash^Carla', series: 1, instancesPerSeries: 1, seed: 'audit-crash' });
    const { body, contentType } = stowBody(study);
    const stored = await fetch(`${first.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization }, body: new Uint8Array(body) });
    assert.equal(stored.status, 200);
    const framePath = `/studies/${study.studyInstanceUid}/series/${study.seriesInstanceUids[0]}/instances/${study.sopInstanceUids[0][0]}/frames/1`;

    const frameHeaders = { authorization, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' };
    const answered = { searches: [] as string[], frames: 0 };
    for (let n = 0; n < 10; n++) {
      const search = `/studies?PatientID=CRASH-SEARCH-${n}`;
      const response = await fetch(`${first.dicomwebUrl}${search}`, { headers: { authorization, accept: 'application/dicom+json' } });
      await response.arrayBuffer();
      assert.ok([200, 204].includes(response.status), `${search}: ${response.status}`);
      answered.searches.push(search);
      const frame = await fetch(`${first.dicomwebUrl}${framePath}`, { headers: frameHeaders });
      await frame.arrayBuffer();
      assert.equal(frame.status, 200);
      answered.frames += 1;
    }
    // The last read: answered, then the process dies before its group commit can happen
    // (the audit table's write lock is held here, so the commit cannot win the race).
    const unlock = await lockAuditWrites();
    let beforeRestart: number;
    try {
      const last = await fetch(`${first.dicomwebUrl}${framePath}`, { headers: frameHeaders });
      await last.arrayBuffer();
      assert.equal(last.status, 200);
      answered.frames += 1;
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      await unlock();
    }

    db = createDatabase({ databaseUrl: scratch.databaseUrl, dataDir });
    const count = (where: object) => db.auditEvent.count({ where: { action: { in: ['dicomweb.qido', 'dicomweb.wado'] }, ...where } });
    beforeRestart = await count({});
    assert.ok(beforeRestart < answered.searches.length + answered.frames, 'the last read was not committed before the kill');
    const segments = readdirSync(journalDir);
    const journalled = segments.flatMap((name) => readFileSync(path.join(journalDir, name), 'utf8').split('\n').filter(Boolean));
    assert.ok(journalled.length >= answered.searches.length + answered.frames - beforeRestart, 'every read not committed was journalled before its answer');
    // As if a process had committed a segment and died before removing it: its rows are in the table AND in a segment.
    copyFileSync(path.join(journalDir, segments[0]), path.join(journalDir, `999999999-0000-${segments[0].split('-').slice(2).join('-')}`));

    const second = await startNode();
    for (const search of answered.searches) {
      assert.equal(await count({ action: 'dicomweb.qido', resource: { endsWith: search } }), 1, search);
    }
    assert.equal(await count({ action: 'dicomweb.wado', resource: { endsWith: framePath } }), answered.frames);
    assert.equal(await count({}), answered.searches.length + answered.frames, 'exactly once');
    assert.deepEqual(readdirSync(journalDir), [], 'the replayed segments are removed');
    const qido = await db.auditEvent.findFirstOrThrow({ where: { action: 'dicomweb.qido' } });
    assert.equal(qido.actor, EMAIL);
    assert.equal(JSON.parse(qido.details).eventId, '110112');

    // The restarted server answers and audits as before.
    const after = await fetch(`${second.dicomwebUrl}${framePath}`, { headers: { authorization, accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*' } });
    await after.arrayBuffer();
    assert.equal(after.status, 200);
    await stopProcess(second.child);
    assert.equal(await count({ action: 'dicomweb.wado', resource: { endsWith: framePath } }), answered.frames + 1);
  });
});
