// The clinician's day, end to end: a real Telepacs node with the built
// portal, real DICOM studies stored by STOW-RS, real Chromium. Sign in, find
// studies by MRN and partial name, move with the keyboard, open a study
// (thumbnails, tags), the patient's timeline, download, live arrival of new
// images, deletion with a reason; another facility's user finds nothing and
// gets 404s. Screenshots go to test-output/e2e/ (the README shows two).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { type Browser, type Page } from 'playwright-core';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { hashPassword } from '../../lib/auth/password';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';
import { launchChromium } from '../support/browser';

const SCREENSHOTS = path.resolve('test-output/e2e');
const OUTSIDER = { email: 'outsider@other.test', password: 'another long passphrase' };
const COLLEAGUE = { email: 'referrer@demo.test', password: 'a referring doctor passphrase' };

describe('worklist, patient and study pages', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const current = makeStudy({
    patientId: 'WL-1001', patientName: 'Müller^Hans', patientSex: 'M', patientBirthDate: '19700102', studyDate: '20240510', studyTime: '101500',
    accessionNumber: 'WLACC1', studyDescription: 'CT Chest', modality: 'CT', bodyPartExamined: 'CHEST', series: 2, instancesPerSeries: 2, seed: 'wl-current',
  });
  const prior = makeStudy({
    patientId: 'WL-1001', patientName: 'Müller^Hans', patientSex: 'M', patientBirthDate: '19700102', studyDate: '20230105',
    accessionNumber: 'WLACC0', studyDescription: 'CT Chest prior', modality: 'CT', series: 1, instancesPerSeries: 1, seed: 'wl-prior',
  });
  const other = makeStudy({
    patientId: 'WL-2002', patientName: 'Smith^Jane', patientSex: 'F', patientBirthDate: '19881212', studyDate: '20240601',
    accessionNumber: 'WLACC2', studyDescription: 'MR Knee', modality: 'MR', series: 1, instancesPerSeries: 1, seed: 'wl-other',
  });
  const foreign = makeStudy({ patientId: 'WL-9009', patientName: 'Foreign^Fred', studyDate: '20240701', studyDescription: 'CT Head', series: 1, instancesPerSeries: 1, seed: 'wl-foreign' });

  async function stow(files: Buffer[]): Promise<void> {
    const { body, contentType } = stowBody(files);
    const response = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { authorization: server.adminAuthorization, 'content-type': contentType }, body: new Uint8Array(body) });
    assert.equal(response.status, 200, await response.text());
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/`);
  }

  async function worklistPatients(page: Page): Promise<string[]> {
    return page.locator('#worklist tbody tr td:first-child').allInnerTexts();
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
    await stow([...current, ...prior, ...other]);
    // Another facility, its own study and its own user
    const db = server.node.db;
    const facility = await db.facility.create({ data: { name: 'Other Hospital', code: 'OTHER' } });
    for (const file of foreign) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, facility.id);
    const outsider = await db.user.create({ data: { email: OUTSIDER.email, name: 'Olga Outsider', passwordHash: await hashPassword(OUTSIDER.password) } });
    await db.membership.create({ data: { userId: outsider.id, facilityId: facility.id, role: 'REFERRING' } });
    // A referring doctor of the same facility as the studies: sees them, may not delete them
    const demo = await db.facility.findFirstOrThrow({ where: { code: 'DEMO' } });
    const colleague = await db.user.create({ data: { email: COLLEAGUE.email, name: 'Rita Referrer', passwordHash: await hashPassword(COLLEAGUE.password) } });
    await db.membership.create({ data: { userId: colleague.id, facilityId: demo.id, role: 'REFERRING' } });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('lists the facility\'s studies newest first after sign-in, and finds them by MRN and by partial name', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await signIn(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.getByRole('heading', { name: 'Worklist' }).waitFor();
    assert.deepEqual(await worklistPatients(page), ['Smith, Jane', 'Müller, Hans', 'Müller, Hans']);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'worklist.png') });
    // A tablet at the bedside, portrait: the table scrolls sideways inside its box, the page does not
    await page.setViewportSize({ width: 820, height: 1180 });
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal page scroll on a tablet');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'worklist-tablet.png') });
    await page.setViewportSize({ width: 1366, height: 900 });

    await page.getByLabel('MRN (patient ID)').fill('WL-1001');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/mrn=WL-1001/);
    assert.deepEqual(await worklistPatients(page), ['Müller, Hans', 'Müller, Hans']);
    assert.match(await page.locator('.lead').first().innerText(), /2 studies match/);

    await page.goto(`${server.url}/?name=${encodeURIComponent('hans mul')}`);
    assert.deepEqual(await worklistPatients(page), ['Müller, Hans', 'Müller, Hans'], 'word prefixes in any order, accents ignored');
    await page.goto(`${server.url}/?name=nobody`);
    await page.getByText('No study matches these filters').waitFor();
    await page.goto(`${server.url}/?dateFrom=2024-13-40`);
    await page.getByText('A date as YYYY-MM-DD.').waitFor();
    await page.close();
  });

  it('moves through the rows with the keyboard and opens a study with Enter: series thumbnails, DICOM tags', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    await signIn(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.goto(`${server.url}/?mrn=WL-1001`);
    await page.locator('h1').click(); // focus outside the form
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${server.url}/studies/${current.studyInstanceUid}`);
    await page.getByRole('heading', { name: 'CT Chest', exact: true }).waitFor();
    const thumbnails = page.locator('ul img');
    assert.equal(await thumbnails.count(), 2);
    await page.waitForFunction(() => [...document.querySelectorAll('ul img')].every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
    await page.getByRole('link', { name: 'DICOM tags' }).first().click();
    await page.locator('#tag-table').waitFor();
    const patientRow = page.locator('#tag-table tr', { hasText: 'PatientName' });
    assert.match(await patientRow.innerText(), /Müller\^Hans/);
    await page.getByLabel('Filter tags').fill('0010,0020');
    assert.equal(await page.locator('#tag-table tbody tr:visible').count(), 1);
    await page.getByLabel('Filter tags').fill('');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'study.png'), fullPage: true });
    await page.close();
  });

  it('shows the patient\'s imaging history as a timeline with a compare link to the viewer', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.goto(`${server.url}/?mrn=WL-1001`);
    await page.getByRole('link', { name: 'Müller, Hans' }).first().click();
    await page.waitForURL(/\/patients\//);
    const studies = page.locator('ol li h3');
    await studies.first().waitFor();
    assert.deepEqual(await studies.allInnerTexts(), ['CT Chest', 'CT Chest prior']);
    const compare = page.getByRole('link', { name: 'Compare with 2024-05-10' });
    assert.equal(await compare.getAttribute('href'), `/ohif/viewer?StudyInstanceUIDs=${current.studyInstanceUid},${prior.studyInstanceUid}`);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'patient.png'), fullPage: true });
    await page.close();
  });

  it('announces new images on the open worklist', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.waitForFunction(() => document.querySelector('[data-connected="true"]') !== null);
    const late = makeStudy({ patientId: 'WL-3003', patientName: 'Late^Larry', studyDescription: 'CR Chest', modality: 'CR', series: 1, instancesPerSeries: 3, seed: 'wl-late' });
    await stow(late);
    await page.getByText('3 new images for Late, Larry (CR Chest)').waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Refresh the list' }).click();
    await page.getByRole('link', { name: 'Late, Larry' }).waitFor();
    await page.close();
  });

  it('downloads a study as a zip of the stored files', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    const response = await context.request.get(`${server.url}/api/studies/${current.studyInstanceUid}/download`);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-disposition'] ?? '', /attachment; filename="WL-1001_20240510.zip"/);
    const files = unzipSync(new Uint8Array(await response.body()));
    const names = Object.keys(files).sort();
    assert.equal(names.length, 4);
    // Byte for byte: every stored file is one that was sent (the archive keeps files as received)
    const stored = await server.node.db.instance.findMany({ where: { series: { study: { studyInstanceUid: current.studyInstanceUid } } }, select: { blobKey: true } });
    const storedBytes = new Set(await Promise.all(stored.map(async (row) => (await server.node.archive.store.get(row.blobKey)).toString('base64'))));
    for (const name of names) assert.ok(storedBytes.has(Buffer.from(files[name]).toString('base64')), `${name} is a stored file`);
    await context.close();
  });

  it('lets an administrator delete a study with a reason, audited; the study is gone', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD);
    await page.goto(`${server.url}/studies/${other.studyInstanceUid}`);
    await page.getByLabel('Reason (required)').fill('sent to the wrong archive');
    await page.getByRole('button', { name: 'Delete study' }).click();
    await page.waitForURL(/\/\?notice=/);
    await page.getByText('Study deleted: 1 image removed.').waitFor();
    const gone = await page.goto(`${server.url}/studies/${other.studyInstanceUid}`);
    assert.equal(gone?.status(), 404);
    await auditQueueFor(server.node.runtime).flush();
    const event = await server.node.db.auditEvent.findFirst({ where: { action: 'portal.study.delete', studyUid: other.studyInstanceUid } });
    assert.equal(event?.outcome, 'SUCCESS');
    assert.match(event?.details ?? '', /sent to the wrong archive/);
    assert.equal(await server.node.db.instance.count({ where: { series: { study: { studyInstanceUid: other.studyInstanceUid } } } }), 0);
    await page.close();
  });

  it('lets a referring doctor of the facility see a study but not delete it (no form, 403 from the API)', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, COLLEAGUE.email, COLLEAGUE.password);
    await page.goto(`${server.url}/studies/${current.studyInstanceUid}`);
    await page.getByRole('heading', { name: 'CT Chest', exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete study' }).count(), 0);
    const refused = await context.request.post(`${server.url}/api/studies/${current.studyInstanceUid}/delete`, { data: { reason: 'not my decision' }, headers: { origin: server.url } });
    assert.equal(refused.status(), 403);
    assert.equal(await server.node.db.study.count({ where: { studyInstanceUid: current.studyInstanceUid } }), 1);
    await context.close();
  });

  it('shows another facility\'s user none of it: empty worklist, 404 for the study, the patient and the download', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, OUTSIDER.email, OUTSIDER.password);
    assert.deepEqual(await worklistPatients(page), ['Foreign, Fred']);
    await page.goto(`${server.url}/?mrn=WL-1001`);
    await page.getByText('No study matches these filters').waitFor();
    assert.equal((await page.goto(`${server.url}/studies/${current.studyInstanceUid}`))?.status(), 404);
    const patient = await server.node.db.patient.findFirstOrThrow({ where: { patientId: 'WL-1001' } });
    assert.equal((await page.goto(`${server.url}/patients/${patient.id}`))?.status(), 404);
    assert.equal((await context.request.get(`${server.url}/api/studies/${current.studyInstanceUid}/download`)).status(), 404);
    const del = await context.request.post(`${server.url}/api/studies/${current.studyInstanceUid}/delete`, { data: { reason: 'probing the archive' }, headers: { origin: server.url } });
    assert.equal(del.status(), 404);
    await context.close();
  });

  it('audited the page views with who, what and from where', async () => {
    await auditQueueFor(server.node.runtime).flush();
    const views = await server.node.db.auditEvent.findMany({ where: { action: { in: ['portal.worklist', 'portal.study', 'portal.patient', 'portal.study.download'] } } });
    const actions = new Set(views.map((event) => event.action));
    for (const action of ['portal.worklist', 'portal.study', 'portal.patient', 'portal.study.download']) assert.ok(actions.has(action), `${action} audited`);
    const study = views.find((event) => event.action === 'portal.study');
    assert.equal(study?.actor, TEST_ADMIN_EMAIL);
    assert.equal(study?.patientId, 'WL-1001');
    assert.match(study?.sourceIp ?? '', /127\.0\.0\.1|::1/);
    const search = views.find((event) => event.action === 'portal.worklist' && event.patientId === 'WL-1001');
    assert.ok(search, 'a worklist search by MRN names the patient');
    assert.ok(search?.facilityId, 'and the facility of a one-facility user');
  });
});
