// Issue 20, failure drill: PostgreSQL restarted under a running Telepacs
// during ingest and search. While the database is away, each service answers
// precisely and retryably — C-STORE 0xA700 (out of resources), C-FIND 0xA700,
// QIDO-RS and WADO-RS 503 with Retry-After — nothing is half-written (no row
// without its file, no file without its row), the process stays up, and when
// the database is back everything works again without a restart: the
// modality's retry of what failed completes the study.
// A PostgreSQL server of the test's own (test/support/private-postgres.ts):
// the machine's one is shared with the other test files. PostgreSQL phase only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, type Database } from '../../prisma/database';
import { findscu, freePort, killOnExit, listFiles, stopProcess, storescu, writeTempFiles } from '../support/dcmtk';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres';
import { spawnTelepacsNode } from '../support/telepacs-process';
import { testDatabaseKind } from '../support/test-database';

const skip =
  testDatabaseKind() !== 'postgres'
    ? 'runs in the PostgreSQL phase'
    : !process.env.CI && !postgresBinDir()
      ? 'needs the PostgreSQL server binaries (apt-get install -y postgresql)'
      : undefined;

const ADMIN = { email: 'admin@outage.test', password: 'correct horse battery staple' };

describe('PostgreSQL restarted during ingest and search', { skip }, () => {
  let postgres: PrivatePostgres;
  let child: ChildProcess;
  let removeGuard = () => {};
  let dataDir: string;
  let db: Database;
  let url: string;
  let dicomPort: number;
  const authorization = basicAuthHeader(ADMIN.email, ADMIN.password);

  before(async () => {
    postgres = await startPrivatePostgres();
    dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-outage-'));
    const started = await spawnTelepacsNode({
      DATA_DIR: dataDir,
      DATABASE_URL: postgres.url,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      DICOM_PEERS: `CT1@127.0.0.1:${await freePort()}`,
      TELEPACS_LOG_LEVEL: 'warn',
    });
    child = started.child;
    removeGuard = killOnExit(child);
    url = new URL(started.ready.dicomwebUrl).origin;
    dicomPort = started.ready.dicomPort;
    db = createDatabase({ databaseUrl: postgres.url, dataDir });
  });
  after(async () => {
    await db?.$disconnect().catch(() => {});
    if (child) await stopProcess(child);
    removeGuard();
    await postgres?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const qido = (query = '') => fetch(`${url}/dicomweb/studies${query}`, { headers: { authorization, accept: 'application/dicom+json' } });
  const storedFiles = () => listFiles(path.join(dataDir, 'store'), 8).filter((file) => !file.endsWith('.tmp'));

  it('answers each service precisely while the database is away, loses nothing, and recovers without a restart', async () => {
    const study = makeStudy({ patientId: 'OUTAGE-1', series: 1, instancesPerSeries: 300, seed: 'database-outage' });
    const temp = writeTempFiles(study);
    try {
      // The modality sends; the database goes away part-way (fast shutdown: every session ended)
      const sending = storescu({ port: dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT1', noHalt: true });
      const stored = () => db.instance.count({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } } });
      while ((await stored()) < 60) await new Promise((resolve) => setTimeout(resolve, 20));
      await db.$disconnect();
      await postgres.stopServer();
      const cut = await sending;
      const statuses = cut.responses.map((response) => response.status);
      const acknowledged = cut.responses.filter((response) => response.ok).length;
      assert.ok(acknowledged >= 60 && acknowledged < study.length, `part of the study got through (${acknowledged})`);
      const failures = statuses.filter((status, index) => !cut.responses[index].ok);
      assert.ok(failures.length > 0 && failures.every((status) => /^Refused: OutOfResources/.test(status)), `the rest answered 0xA700 out of resources: ${[...new Set(failures)].join(', ')}`);

      // Search while it is away: 503 with Retry-After, C-FIND refused out of resources
      const during = await qido(`?PatientID=OUTAGE-1`);
      assert.equal(during.status, 503, await during.clone().text());
      assert.ok(Number(during.headers.get('retry-after')) > 0, 'Retry-After');
      const find = await findscu({ port: dicomPort, aet: 'TELEPACS' }, { callingAet: 'CT1', level: 'STUDY', keys: { PatientID: 'OUTAGE-1', StudyInstanceUID: '' } });
      assert.match(find.stderr + find.stdout, /Received Final Find Response \(Refused: OutOfResources\)/, 'C-FIND answered 0xA700');
      assert.equal(child.exitCode, null, 'the process is still up');

      // Back: search and ingest work again in the same process
      await postgres.startServer();
      db = createDatabase({ databaseUrl: postgres.url, dataDir });
      let after: Response | undefined;
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 200))) {
        after = await qido(`?PatientID=OUTAGE-1`);
        if (after.status === 200) break;
      }
      assert.equal(after?.status, 200, 'QIDO answers again');
      const retry = await storescu({ port: dicomPort, aet: 'TELEPACS' }, temp.paths, { callingAet: 'CT1' });
      assert.equal(retry.responses.filter((response) => response.ok).length, study.length, 'the retry of the whole study succeeds');
      assert.equal(await stored(), study.length, 'each image once');
      const rows = await db.instance.findMany({ where: { series: { study: { studyInstanceUid: study.studyInstanceUid } } }, select: { blobKey: true } });
      const files = storedFiles();
      assert.equal(files.length, rows.length, 'one file per row, no file left by a failed image');
      const find2 = await findscu({ port: dicomPort, aet: 'TELEPACS' }, { callingAet: 'CT1', level: 'STUDY', keys: { PatientID: 'OUTAGE-1', NumberOfStudyRelatedInstances: '' } });
      assert.equal(Number(find2.datasets[0]?.NumberOfStudyRelatedInstances), study.length);

      // What happened while it was away is in the audit trail once it is back (the queue tries again):
      // the association's refused images and the refused C-FIND
      const outageAudit = async () =>
        db.auditEvent.findMany({ where: { actor: 'AE:CT1', outcome: 'FAILURE', action: { in: ['dimse.c-store', 'dimse.c-find'] } }, select: { action: true, details: true } });
      let rowsOfOutage = await outageAudit();
      for (const deadline = Date.now() + 40_000; rowsOfOutage.length < 2 && Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) rowsOfOutage = await outageAudit();
      const failedStores = rowsOfOutage.find((row) => row.action === 'dimse.c-store');
      assert.ok(failedStores, 'the refused C-STOREs are audited');
      assert.equal((JSON.parse(failedStores.details ?? '{}') as { failed?: number }).failed, failures.length, 'with the number refused');
      assert.ok(rowsOfOutage.some((row) => row.action === 'dimse.c-find'), 'the refused C-FIND is audited');
    } finally {
      temp.cleanup();
    }
  });
});
