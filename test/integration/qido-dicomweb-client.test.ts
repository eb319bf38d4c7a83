// QIDO-RS through the whole stack: a running Telepacs (archive + DICOMweb, no
// portal), HTTP Basic sign-in, and dicomweb-client — the client OHIF uses — as
// the caller. Studies are real DICOM files stored through archive.ingest.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { silentLogger } from '../../pacs-core/logger';
import { loadConfig } from '../../lib/config/config';
import { startTelepacs, type RunningTelepacs } from '../../lib/server/start';
import { makeStudy, type FixtureStudy } from '../support/fixtures';
import { basicAuthHeader, createDicomwebClient, dicomweb } from '../support/dicomweb-client';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../support/test-database';

const ADMIN_EMAIL = 'qido-admin@telepacs.test';
const ADMIN_PASSWORD = 'qido test password 2024';

type DicomJson = Record<string, { vr: string; Value?: unknown[] }>;

describe('QIDO-RS with dicomweb-client against a running Telepacs', () => {
  let dataDir: string;
  let postgres: TestDatabase | undefined;
  let telepacs: RunningTelepacs;
  let client: dicomweb.api.DICOMwebClient;
  let visible: FixtureStudy;
  let other: FixtureStudy;
  const authorization = basicAuthHeader(ADMIN_EMAIL, ADMIN_PASSWORD);

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-qido-'));
    if (testDatabaseKind() === 'postgres') postgres = await createTestDatabase();
    const config = loadConfig({
      PORT: '0',
      DICOM_PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: postgres?.options.databaseUrl,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
    });
    telepacs = await startTelepacs({ config, portal: false, logger: silentLogger });
    const origin = { kind: 'import', source: 'qido-http-test' } as const;
    visible = makeStudy({ patientName: 'Smith^Jane', patientId: 'HTTP-1', accessionNumber: 'H1', modality: 'MR', series: 2, instancesPerSeries: 2 });
    for (const file of visible) await telepacs.archive.ingest(file, origin, telepacs.firstRun.facilityId);
    const elsewhere = await telepacs.db.facility.create({ data: { name: 'Elsewhere', code: 'ELSEWHERE' } });
    other = makeStudy({ patientName: 'Smith^John', patientId: 'HTTP-2', accessionNumber: 'H2', series: 1, instancesPerSeries: 1 });
    for (const file of other) await telepacs.archive.ingest(file, origin, elsewhere.id);
    client = createDicomwebClient(telepacs.dicomwebUrl, authorization);
    // A 204 is a normal answer here; dicomweb-client would print the whole XHR for it
    client.setVerbose(false);
  });

  after(async () => {
    await telepacs?.close();
    await postgres?.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${telepacs.dicomwebUrl}${pathAndQuery}`, { headers: { authorization, ...headers } });
  }

  it('finds studies by wildcard name, only in the caller\'s facilities', async () => {
    const studies = (await client.searchForStudies({ queryParams: { PatientName: 'smith*' } })) as DicomJson[];
    assert.deepEqual(studies.map((s) => s['0020000D']?.Value?.[0]), [visible.studyInstanceUid]);
    assert.deepEqual(studies[0]['00080061'], { vr: 'CS', Value: ['MR'] });
    assert.deepEqual(studies[0]['00201208'], { vr: 'IS', Value: [4] });
    assert.equal(studies[0]['00081190']?.Value?.[0], `${telepacs.dicomwebUrl}/studies/${visible.studyInstanceUid}`);
  });

  it('lists the series of a study and the instances of a series', async () => {
    const series = (await client.searchForSeries({ studyInstanceUID: visible.studyInstanceUid })) as DicomJson[];
    assert.deepEqual(series.map((s) => s['0020000E']?.Value?.[0]), visible.seriesInstanceUids);
    const instances = (await client.searchForInstances({
      studyInstanceUID: visible.studyInstanceUid,
      seriesInstanceUID: visible.seriesInstanceUids[1],
    })) as DicomJson[];
    assert.deepEqual(instances.map((i) => i['00080018']?.Value?.[0]), visible.sopInstanceUids[1]);
  });

  it('answers no match with 204 No Content, which the client reads as an empty list', async () => {
    assert.deepEqual(await client.searchForStudies({ queryParams: { PatientID: 'NOBODY' } }), []);
    const response = await get('/studies?PatientID=NOBODY');
    assert.equal(response.status, 204);
    assert.equal(await response.text(), '');
  });

  it('treats a study of another facility exactly as one that does not exist', async () => {
    const hidden = await get(`/studies/${other.studyInstanceUid}/series`);
    const absent = await get('/studies/1.2.3.4.5.6.7/series');
    assert.equal(hidden.status, 404);
    assert.equal(absent.status, 404);
    assert.equal((await get(`/studies?StudyInstanceUID=${other.studyInstanceUid}`)).status, 204);
    assert.equal((await get(`/series?SeriesInstanceUID=${other.seriesInstanceUids[0]}`)).status, 204);
  });

  it('answers bad parameters with 400 and the reason', async () => {
    const response = await get('/studies?StudyDate=20241301');
    assert.equal(response.status, 400);
    const body = (await response.json()) as { error: string; code: string };
    assert.equal(body.code, 'BAD_REQUEST');
    assert.match(body.error, /StudyDate: "20241301" is not a valid DA value/);
    assert.equal((await get('/studies?limit=0')).status, 400);
    assert.equal((await get('/studies?Nonsense=1')).status, 400);
  });

  it('answers 406 when the client accepts only XML, and JSON for application/json', async () => {
    assert.equal((await get('/studies', { accept: 'multipart/related; type="application/dicom+xml"' })).status, 406);
    const json = await get('/studies', { accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  });

  it('pages with limit and offset, and leaves one audit event per search', async () => {
    await auditQueueFor(telepacs.runtime).flush();
    const before = await telepacs.db.auditEvent.count({ where: { action: 'dicomweb.qido' } });
    const first = (await client.searchForInstances({ queryParams: { limit: '3', offset: '0' } })) as DicomJson[];
    const rest = (await client.searchForInstances({ queryParams: { limit: '3', offset: '3' } })) as DicomJson[];
    assert.equal(first.length, 3);
    assert.equal(rest.length, 1);
    const seen = [...first, ...rest].map((i) => i['00080018']?.Value?.[0]);
    assert.deepEqual(new Set(seen), new Set(visible.sopInstanceUids.flat()));
    await auditQueueFor(telepacs.runtime).flush(); // group-committed a few ms after the access
    const events = await telepacs.db.auditEvent.findMany({ where: { action: 'dicomweb.qido' }, orderBy: { at: 'asc' } });
    assert.equal(events.length - before, 2);
    const last = events[events.length - 1];
    assert.equal(last.outcome, 'SUCCESS');
    assert.equal(last.actor, ADMIN_EMAIL);
    assert.deepEqual(JSON.parse(last.details), { eventId: '110112', level: 'instance', results: 1 });
  });
});
