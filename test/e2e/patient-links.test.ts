// One patient across facilities (issue 13 §5) in the built portal with real
// Chromium: an administrator of Demo Hospital and Valley Clinic opens Demo
// Hospital's record of Anna Keller, finds Valley Clinic's record of her by
// part of its MRN, links it, and sees Valley Clinic's study in her history
// labelled with Valley Clinic; a member of Demo Hospital alone sees neither
// that study nor the panel; the administrator unlinks it with a reason, on a
// phone. Screenshots (desktop and 390×844) go to test-output/e2e/patient-links-*.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const REASON = 'Different birth date on the referral letter: another Anna Keller';

describe('one patient across facilities on the patient page', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const users = { admin: '', member: '' };
  const records = { hospital: '', clinic: '' };
  let admin: Page;

  /** The study of the history whose title is `description` */
  const historyEntry = (page: Page, description: string): Locator =>
    page.getByRole('list', { name: 'Studies, newest first' }).getByRole('listitem').filter({ has: page.getByRole('heading', { name: description }) });
  const panel = (page: Page): Locator => page.getByRole('region', { name: 'Same person in other records' });

  async function assertFitsThePhone(page: Page): Promise<void> {
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
  }

  before(async () => {
    server = await startTestServer({ portal: true });
    const db = server.node.db;
    const adminUser = await db.user.update({ where: { email: TEST_ADMIN_EMAIL }, data: { name: 'Dr Hana Host' } });
    users.admin = adminUser.id;
    const hospital = (await db.membership.findFirstOrThrow({ where: { userId: users.admin } })).facilityId;
    const clinic = await createFacility(db, 'Valley Clinic');
    await db.membership.create({ data: { userId: users.admin, facilityId: clinic.id, role: 'ADMIN' } });
    const member = await createUser(db, { email: 'cora@demo.example', memberships: [{ facilityId: hospital, role: 'REFERRING' }] });
    users.member = (await db.user.update({ where: { id: member.id }, data: { name: 'Dr Cora Colleague' } })).id;

    // The same woman, under each facility's own MRN, as each facility's images say
    const anna = { patientName: 'Keller^Anna', patientBirthDate: '19710412', patientSex: 'F' as const, series: 1, instancesPerSeries: 2, rows: 64, columns: 64 };
    const ct = makeStudy({ ...anna, patientId: 'MRN-4471203', studyDescription: 'CT abdomen', modality: 'CT', studyDate: '20240115', seed: 'links-ct' });
    const mr = makeStudy({ ...anna, patientId: 'VC-88120', studyDescription: 'MR knee', modality: 'MR', studyDate: '20250302', seed: 'links-mr' });
    for (const file of ct) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, hospital);
    for (const file of mr) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, clinic.id);
    records.hospital = (await db.patient.findFirstOrThrow({ where: { patientId: 'MRN-4471203' } })).id;
    records.clinic = (await db.patient.findFirstOrThrow({ where: { patientId: 'VC-88120' } })).id;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an administrator of both finds the other record by part of its MRN and links it; its study shows labelled with its facility', async () => {
    admin = await openSignedIn(browser, server, users.admin, `/patients/${records.hospital}`);
    await panel(admin).getByText('No other record of this patient is linked.').waitFor();
    assert.equal(await historyEntry(admin, 'MR knee').count(), 0, 'not linked yet: only her Demo Hospital study');

    await panel(admin).getByLabel('Link a record of this patient (MRN or name)').fill('88120');
    await panel(admin).getByRole('button', { name: 'Search' }).click();
    const found = panel(admin).getByRole('list', { name: 'Records found' }).getByRole('listitem');
    await found.first().waitFor();
    assert.deepEqual(
      (await found.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim()),
      ['Valley Clinic · MRN VC-88120 · Keller, Anna · born 1971-04-12 Link'],
    );
    await screenshot(admin, 'patient-links-candidates');

    let question = '';
    admin.once('dialog', (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await found.getByRole('button', { name: 'Link' }).click();
    const linked = panel(admin).getByRole('listitem').filter({ hasText: 'MRN VC-88120' });
    await linked.waitFor({ timeout: 20_000 });
    assert.match(question, /^Link Keller, Anna, MRN VC-88120 \(Valley Clinic\) as the same person\?/, 'the name as people write it, not Keller^Anna');
    assert.match(((await linked.textContent()) ?? '').replace(/\s+/g, ' '), /Valley Clinic · MRN VC-88120 · Keller, Anna · born 1971-04-12 Linked by Dr Hana Host on \d{4}-\d\d-\d\d Unlink…/);
    assert.equal(await linked.getByRole('link', { name: 'Valley Clinic' }).getAttribute('href'), `/patients/${records.clinic}`);

    // Both studies, newest first, each with the facility that holds it
    await historyEntry(admin, 'MR knee').waitFor();
    assert.equal(await historyEntry(admin, 'MR knee').getByTitle(/^Held by Valley Clinic/).textContent(), 'Valley Clinic');
    assert.equal(await historyEntry(admin, 'CT abdomen').getByTitle(/^Held by Demo Hospital/).textContent(), 'Demo Hospital');
    const titles = await admin.getByRole('list', { name: 'Studies, newest first' }).getByRole('heading').allTextContents();
    assert.deepEqual(titles, ['MR knee', 'CT abdomen']);
    await screenshot(admin, 'patient-links-linked');

    const audit = await server.node.db.auditEvent.findMany({ where: { action: 'admin.patient.link' }, select: { facilityId: true, actorUserId: true } });
    assert.equal(audit.length, 2, 'once in each facility whose record changed');
    assert.ok(audit.every((event) => event.actorUserId === users.admin));
  });

  it('a member of Demo Hospital alone sees only its study, no link panel, and not the other record', async () => {
    const member = await openSignedIn(browser, server, users.member, `/patients/${records.hospital}`);
    await historyEntry(member, 'CT abdomen').waitFor();
    assert.equal(await historyEntry(member, 'MR knee').count(), 0);
    assert.equal(await member.getByText('Valley Clinic').count(), 0, 'not even told that Valley Clinic holds a record');
    assert.equal(await member.getByRole('heading', { name: 'Same person in other records' }).count(), 0);
    await screenshot(member, 'patient-links-member');

    const response = await member.goto(`${server.url}/patients/${records.clinic}`);
    assert.equal(response?.status(), 404);
    await member.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.equal(await member.getByText('MR knee').count(), 0);
  });

  it('on a phone, the page fits the screen, and the administrator unlinks the record with a reason', async () => {
    const phone = await openSignedIn(browser, server, users.admin, `/patients/${records.hospital}`, PHONE);
    await historyEntry(phone, 'MR knee').waitFor();
    await assertFitsThePhone(phone);
    await screenshot(phone, 'patient-links-phone');

    const linked = panel(phone).getByRole('listitem').filter({ hasText: 'MRN VC-88120' });
    await linked.getByRole('button', { name: 'Unlink…' }).click();
    const reason = linked.getByLabel('Why is this not the same person?');
    await reason.waitFor();
    await assertFitsThePhone(phone);
    await screenshot(phone, 'patient-links-phone-unlink');
    await reason.fill(REASON);
    await linked.getByRole('button', { name: 'Unlink', exact: true }).click();
    await panel(phone).getByText('No other record of this patient is linked.').waitFor({ timeout: 20_000 });
    assert.equal(await historyEntry(phone, 'MR knee').count(), 0, "Valley Clinic's study is gone from her history");
    await historyEntry(phone, 'CT abdomen').waitFor();

    const audit = await server.node.db.auditEvent.findMany({ where: { action: 'admin.patient.unlink' }, select: { details: true } });
    assert.equal(audit.length, 2);
    assert.ok(audit.every((event) => JSON.stringify(event.details).includes(REASON)), 'the reason is in the audit log');
  });

  it('answers a one-character search with words about the field, not a failure', async () => {
    // The field's minLength stops it in the browser; a direct call gets the API's answer
    const response = await admin.request.get(`${server.url}/api/patients/${records.hospital}/link-candidates?q=8`);
    assert.equal(response.status(), 400);
    const body = (await response.json()) as { error: string; fields?: Record<string, string> };
    assert.equal(body.error, 'INVALID_INPUT');
    assert.ok(body.fields?.q, JSON.stringify(body));
  });
});
