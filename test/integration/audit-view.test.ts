// The audit view and its CSV export, through HTTP against a real node with
// the built portal: administrators see their own facility's trail only,
// filters narrow it, the CSV is well-formed and safe in a spreadsheet,
// everyone else gets 404, and reading the trail is itself audited.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { insertPastAuditEvents } from '../../lib/audit/audit-fixtures';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { echoscu, findscu, freePort, hasDcmtk } from '../support/dcmtk';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { parseCsv } from '../support/csv';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

describe('audit view and export', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let homeFacilityId: string;
  let homeCode: string;
  let valleyCode: string;
  const cookies: Record<'admin' | 'valleyAdmin' | 'member', string> = { admin: '', valleyAdmin: '', member: '' };
  const study = makeStudy({ patientId: 'AUDIT-A', patientName: 'Audit^Anna', series: 1, instancesPerSeries: 1, seed: 'audit-view' });

  const signIn = async (email: string, password: string) => {
    const response = await fetch(`${server.url}/api/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    assert.equal(response.status, 200, email);
    return (response.headers.get('set-cookie') ?? '').split(';')[0];
  };
  const get = (path: string, cookie: string) => fetch(`${server.url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const pageText = async (path: string, cookie: string) => {
    const response = await get(path, cookie);
    assert.equal(response.status, 200, path);
    return response.text();
  };

  before(async () => {
    server = await startTestServer({ portal: true, env: { DICOM_PEERS: `CT1@127.0.0.1:${await freePort()}` } });
    const db = server.node.db;
    homeFacilityId = server.node.firstRun.facilityId;
    homeCode = (await db.facility.findUniqueOrThrow({ where: { id: homeFacilityId } })).code;
    const valley = await createFacility(db, 'Valley Clinic');
    valleyCode = valley.code;
    const passwordHash = await hashPassword('valley password 1');
    await createUser(db, { email: 'admin@valley.example', passwordHash, memberships: [{ facilityId: valley.id, role: 'ADMIN' }] });
    await createUser(db, { email: 'doctor@home.example', passwordHash, memberships: [{ facilityId: homeFacilityId, role: 'REFERRING' }] });

    // Real events: a STOW and a WADO-RS read of patient AUDIT-A by the home administrator.
    const { body, contentType } = stowBody(study);
    const stored = await fetch(`${server.dicomwebUrl}/studies`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: server.adminAuthorization },
      body: new Uint8Array(body),
    });
    assert.equal(stored.status, 200);
    const read = await fetch(`${server.dicomwebUrl}/studies/${study.studyInstanceUid}/metadata`, { headers: { authorization: server.adminAuthorization } });
    assert.equal(read.status, 200);
    await read.arrayBuffer();
    // A search carries no facility (it spans the caller's); it belongs to the searching member's facilities.
    const search = await fetch(`${server.dicomwebUrl}/studies?PatientID=AUDIT-A`, { headers: { authorization: server.adminAuthorization } });
    assert.equal(search.status, 200);
    await search.arrayBuffer();
    // Older events, and what a hostile caller could put into the trail.
    await insertPastAuditEvents(db, [
      { at: new Date('2026-01-15T08:00:00Z'), actor: 'AE:CT1', action: 'dimse.c-store', outcome: 'SUCCESS', facilityId: homeFacilityId, patientId: 'DATE-IN', sourceIp: '10.9.0.1' },
      { at: new Date('2026-01-16T00:00:00Z'), actor: 'AE:CT1', action: 'dimse.c-store', outcome: 'SUCCESS', facilityId: homeFacilityId, patientId: 'DATE-OUT', sourceIp: '10.9.0.1' },
      {
        at: new Date('2026-01-14T08:00:00Z'),
        actor: '=HYPERLINK("http://evil.example","click")',
        action: 'dicomweb.read',
        outcome: 'DENIED',
        facilityId: homeFacilityId,
        patientId: 'HOSTILE',
        resource: '/dicomweb/studies?PatientName=a,b "c"\nd',
        details: { reason: '+cmd|calc' },
      },
      { at: new Date('2026-01-15T09:00:00Z'), actor: 'doctor@valley.example', action: 'dicomweb.wado', outcome: 'SUCCESS', facilityId: valley.id, patientId: 'VALLEY-1' },
    ]);
    await auditQueueFor(server.node.runtime).flush();
    cookies.admin = await signIn(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    cookies.valleyAdmin = await signIn('admin@valley.example', 'valley password 1');
    cookies.member = await signIn('doctor@home.example', 'valley password 1');
  });
  after(async () => {
    await server?.stop();
  });

  it("shows an administrator their facility's events and not another facility's", async () => {
    const home = await pageText('/audit', cookies.admin);
    for (const expected of ['AUDIT-A', 'dicomweb.stow', 'dicomweb.wado', 'DATE-IN', 'HOSTILE', 'AE CT1', 'dicomweb.qido', 'studies?PatientID=AUDIT-A']) {
      assert.ok(home.includes(expected), expected);
    }
    assert.ok(!home.includes('VALLEY-1'));
    // Words a privacy officer reads: the action (its code in the title), the person's name over their e-mail, this server's own address
    for (const expected of ['Stored images (DICOMweb)', 'Searched the archive (DICOMweb)', 'Viewed images (DICOMweb)', 'title="dicomweb.qido"', 'Signed in', 'A DICOM device stored images']) {
      assert.ok(home.includes(expected), expected);
    }
    assert.match(home, /<td data-label="Who"[^>]*>Administrator<div[^>]*>admin@[^<]*<\/div><\/td>/);
    assert.match(home, /<span title="(::ffff:)?127\.0\.0\.1">this server \(local\)<\/span>/);
    assert.ok(!home.includes('>::ffff:'), 'no IPv4-mapped address shown as such');
    const valley = await pageText('/audit', cookies.valleyAdmin);
    assert.ok(valley.includes('VALLEY-1'));
    for (const hidden of ['AUDIT-A', 'DATE-IN', 'HOSTILE', TEST_ADMIN_EMAIL]) assert.ok(!valley.includes(hidden), hidden);
  });

  it('narrows the results by patient and by date', async () => {
    const byPatient = await pageText('/audit?patientId=AUDIT-A', cookies.admin);
    assert.ok(byPatient.includes(study.studyInstanceUid));
    for (const hidden of ['DATE-IN', 'DATE-OUT', 'HOSTILE']) assert.ok(!byPatient.includes(hidden), hidden);
    assert.match(byPatient, /\d+ events?/);

    const byDate = await pageText('/audit?from=2026-01-15&to=2026-01-15', cookies.admin);
    assert.ok(byDate.includes('DATE-IN'));
    for (const hidden of ['DATE-OUT', 'HOSTILE', 'AUDIT-A']) assert.ok(!byDate.includes(hidden), hidden);
    assert.match(byDate, /1 event\b/);

    const none = await pageText('/audit?patientId=NOBODY', cookies.admin);
    assert.match(none, /No audit events match these filters/);
  });

  it('explains bad filters on the page and in the export, never with a 500', async () => {
    const page = await pageText('/audit?from=2026-13-01&studyUid=abc', cookies.admin);
    assert.match(page, /Check the filters/);
    assert.match(page, /Give a date as YYYY-MM-DD/);
    assert.match(page, /A Study Instance UID is digits and dots/);
    const exported = await get('/api/audit/export?outcome=MAYBE', cookies.admin);
    assert.equal(exported.status, 400);
    const body = (await exported.json()) as { error: string; errors: { field: string }[] };
    assert.equal(body.error, 'INVALID_FILTER');
    assert.deepEqual(body.errors.map((error) => error.field), ['outcome']);
  });

  it('exports CSV with a header row, RFC 4180 quoting and formula-safe cells', async () => {
    const response = await get('/api/audit/export', cookies.admin);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="telepacs-audit-[\d-]+\.csv"$/);
    const rows = parseCsv(await response.text());
    assert.deepEqual(rows[0], ['time_utc', 'actor', 'actor_user_id', 'action', 'outcome', 'facility', 'patient_id', 'study_uid', 'source_ip', 'ae_title', 'resource', 'details', 'dicom_event_id', 'action_label', 'actor_name', 'source']);
    assert.equal(response.headers.get('x-total-count'), String(rows.length - 1));
    const column = (name: string) => rows[0].indexOf(name);
    const data = rows.slice(1);
    assert.ok(data.every((row) => row.length === rows[0].length));
    // The home facility's events, and its members' events that carry no facility (sign-ins, searches)
    assert.ok(data.every((row) => row[column('facility')] === homeCode || row[column('facility')] === ''));
    assert.ok(!data.some((row) => row[column('actor')] === 'admin@valley.example'), "not the other facility's members");
    assert.ok(data.some((row) => row[column('action')] === 'dicomweb.qido' && row[column('resource')].endsWith('/studies?PatientID=AUDIT-A')));
    const signIn = data.find((row) => row[column('action')] === 'auth.sign_in' && row[column('actor')] === TEST_ADMIN_EMAIL);
    assert.ok(signIn);
    assert.equal(signIn[column('action_label')], 'Signed in');
    assert.equal(signIn[column('actor_name')], 'Administrator');
    assert.equal(signIn[column('source')], 'this server (local)');
    assert.match(signIn[column('source_ip')], /127\.0\.0\.1/, 'the address as recorded stays in its column');
    assert.ok(!data.some((row) => row[column('patient_id')] === 'VALLEY-1'));
    const hostile = data.find((row) => row[column('patient_id')] === 'HOSTILE');
    assert.ok(hostile);
    assert.equal(hostile[column('actor')], `'=HYPERLINK("http://evil.example","click")`);
    assert.equal(hostile[column('resource')], '/dicomweb/studies?PatientName=a,b "c"\nd');
    assert.equal(hostile[column('details')], '{"eventId":"110103","reason":"+cmd|calc"}');
    assert.equal(hostile[column('action_label')], 'Asked to view images (DICOMweb)');
    const dimse = data.find((row) => row[column('patient_id')] === 'DATE-IN');
    assert.equal(dimse?.[column('ae_title')], 'CT1');
    assert.equal(dimse?.[column('time_utc')], '2026-01-15T08:00:00.000Z');
    // newest first
    const times = data.map((row) => row[column('time_utc')]);
    assert.deepEqual(times, [...times].sort().reverse());
  });

  it('exports only what the filters select', async () => {
    const response = await get(`/api/audit/export?patientId=AUDIT-A&action=dicomweb.*`, cookies.admin);
    assert.equal(response.status, 200);
    const rows = parseCsv(await response.text()).slice(1);
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((row) => row[6] === 'AUDIT-A' && row[3].startsWith('dicomweb.')));
  });

  it('answers 404 to a non-administrator and to another facility, on the page and the export', async () => {
    assert.equal((await get('/audit', cookies.member)).status, 404);
    assert.equal((await get('/api/audit/export', cookies.member)).status, 404);
    assert.equal((await get(`/audit?facility=${homeCode}`, cookies.valleyAdmin)).status, 404);
    assert.equal((await get(`/api/audit/export?facility=${homeCode}`, cookies.valleyAdmin)).status, 404);
    assert.equal((await get(`/api/audit/export?facility=${valleyCode}`, cookies.valleyAdmin)).status, 200);
    // Signed out: the page sends to sign-in, the API says 401.
    const signedOut = await get('/audit?patientId=X', '');
    assert.ok([303, 307].includes(signedOut.status));
    assert.equal(signedOut.headers.get('location'), `/sign-in?next=${encodeURIComponent('/audit?patientId=X')}`);
    assert.equal((await get('/api/audit/export', '')).status, 401);
  });

  it("shows the home facility's DIMSE searches and refused associations", { skip: hasDcmtk() ? false : 'DCMTK not installed' }, async () => {
    const peer = { port: server.dicomPort, aet: 'TELEPACS' };
    const found = await findscu(peer, { callingAet: 'CT1', level: 'STUDY', keys: { PatientID: 'AUDIT-A', StudyInstanceUID: '' } });
    assert.equal(found.datasets.length, 1);
    await echoscu(peer, { callingAet: 'INTRUDER' });
    const finds = await pageText('/audit?action=dimse.c-find&actor=AE:CT1', cookies.admin);
    assert.match(finds, /1 event\b/);
    const refused = await pageText('/audit?action=dimse.associate&outcome=DENIED', cookies.admin);
    assert.match(refused, /AE INTRUDER/);
    assert.match(refused, /calling AE title not recognized/);
    assert.match(await pageText('/audit?action=dimse.*', cookies.valleyAdmin), /No audit events match these filters/);
  });

  it('records every view and export of the trail, with the filters, in the facility viewed', async () => {
    await pageText('/audit?patientId=AUDIT-A', cookies.admin);
    const exported = await get('/api/audit/export?patientId=AUDIT-A', cookies.admin);
    await exported.text();
    await pageText('/audit', cookies.valleyAdmin);
    await auditQueueFor(server.node.runtime).flush();
    const events = await server.node.db.auditEvent.findMany({ where: { action: { startsWith: 'audit.' } }, orderBy: { at: 'asc' } });
    const views = events.filter((e) => e.action === 'audit.view' && e.actor === TEST_ADMIN_EMAIL && e.patientId === 'AUDIT-A');
    assert.ok(views.length >= 1);
    assert.equal(views[0].facilityId, homeFacilityId);
    assert.match(views[0].sourceIp, /127\.0\.0\.1/);
    assert.equal(views[0].resource, '/audit?patientId=AUDIT-A');
    assert.deepEqual(JSON.parse(views[0].details).filters, { patientId: 'AUDIT-A' });
    const exports = events.filter((e) => e.action === 'audit.export' && e.resource === '/api/audit/export?patientId=AUDIT-A');
    assert.equal(exports.length, 1);
    assert.equal(exports[0].facilityId, homeFacilityId);
    assert.equal(exports[0].actor, TEST_ADMIN_EMAIL);
    assert.equal(exports[0].patientId, 'AUDIT-A');
    assert.ok(JSON.parse(exports[0].details).results >= 2);
    const valleyView = events.find((e) => e.action === 'audit.view' && e.actor === 'admin@valley.example');
    assert.ok(valleyView && valleyView.facilityId !== homeFacilityId);
    // Refused attempts read nothing and are not counted as views.
    assert.ok(!events.some((e) => e.actor === 'doctor@home.example'));
    // ...and the administrator sees the views in the view itself.
    assert.match(await pageText('/audit?action=audit.*', cookies.admin), /audit\.export/);
  });
});
