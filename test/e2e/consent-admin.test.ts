// The facility administrator's "Consent" tab in the built portal with real
// Chromium: the purposes needing consent as checkboxes (the admin unticks
// teleconsultation and saves; the facility's rule changes), the shipped consent
// form listed in English and French, a new version published from the editor
// prefilled with the current one (a blank title is refused beside the title),
// and the old version kept under "Earlier versions". The page at desktop and
// phone width (test-output/e2e/consent-admin-*.png), fitting the phone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/browser';
import { openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

describe('consent tab of a facility administrator', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let facilityId = '';
  let adminId = '';

  const card = (page: Page, name: string): Locator => page.locator(`li[data-consent-form="${name}"]`);
  const rules = async () => JSON.parse((await server.node.db.facility.findUniqueOrThrow({ where: { id: facilityId } })).consentRequiredFor) as string[];

  before(async () => {
    server = await startTestServer({ portal: true });
    adminId = (await server.node.db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = server.node.firstRun.facilityId;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('unticks a purpose and saves the rules; publishes a new version of the form from the current one', async () => {
    const page = await openSignedIn(browser, server, adminId, `/admin/${facilityId}`);
    await page.getByRole('link', { name: 'Consent' }).click();
    await page.getByRole('heading', { name: 'What needs consent' }).waitFor();

    // The rules: every purpose ticked by default; untick teleconsultation
    const purposes = page.getByRole('group', { name: "Needs the patient's consent when shared outside this facility" });
    for (const label of ['Second opinion', 'Teleconsultation', 'Emergency care', 'Transfer', 'Research']) assert.equal(await purposes.getByLabel(label).isChecked(), true, label);
    await purposes.getByLabel('Teleconsultation').uncheck();
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    assert.deepEqual(await rules(), ['SECOND_OPINION', 'EMERGENCY_CARE', 'TRANSFER', 'RESEARCH']);
    await page.reload();
    assert.equal(await page.getByLabel('Teleconsultation').isChecked(), false, 'kept after a reload');
    assert.equal(await page.getByLabel('Second opinion').isChecked(), true);

    // The forms: the shipped one, in English and French, version 1
    const english = card(page, 'imaging-sharing (en)');
    assert.match((await english.textContent()) ?? '', /Consent to share my medical images\s*en\s*version 1\s*shipped/);
    assert.match((await card(page, 'imaging-sharing (fr)').textContent()) ?? '', /Consentement au partage de mes images médicales\s*fr\s*version 1/);

    // New version of the English one: the editor holds its current text
    await english.getByRole('button', { name: 'New version of imaging-sharing (en)' }).click();
    await page.getByRole('heading', { name: 'New version of imaging-sharing (en)' }).waitFor();
    assert.equal(await page.getByLabel('Title').evaluate((input) => input === document.activeElement), true, 'the keyboard lands in the editor');
    assert.equal(await page.getByLabel('Title').inputValue(), 'Consent to share my medical images');
    assert.match(await page.getByLabel('Text the patient reads').inputValue(), /^What is shared\nYour medical images/);
    assert.equal(await page.getByLabel('Language').inputValue(), 'en');

    // A blank title: the message beside it, nothing published
    await page.getByLabel('Title').fill('');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.locator('#consent-form-title-error').filter({ hasText: 'Give the form a title' }).waitFor();
    assert.equal(await page.getByLabel('Title').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Language').getAttribute('aria-invalid'), 'false', 'only the wrong field is marked');
    await screenshot(page, 'consent-admin-field-error');

    await page.getByLabel('Title').fill('Consent to share my images outside this hospital');
    await page.getByLabel('Text the patient reads').fill('What is shared\nYour images and their reports.\n\nYou may refuse or withdraw at any time.');
    await page.getByRole('button', { name: 'Publish' }).click();
    await page.getByRole('status').filter({ hasText: 'Published imaging-sharing (en) version 2.' }).waitFor();
    await card(page, 'imaging-sharing (en)').filter({ hasText: 'version 2' }).waitFor();
    const published = card(page, 'imaging-sharing (en)');
    assert.match((await published.textContent()) ?? '', /Consent to share my images outside this hospital\s*en\s*version 2/);
    await published.getByText('Earlier versions (1)').click();
    assert.match((await published.textContent()) ?? '', /Version 1 · Consent to share my medical images/);
    await published.getByText('Read the text').click();
    const versions = await server.node.db.consentForm.findMany({ where: { facilityId, key: 'imaging-sharing', language: 'en' }, orderBy: { version: 'asc' } });
    assert.deepEqual(versions.map((row) => [row.version, row.title, row.createdById]), [
      [1, 'Consent to share my medical images', null],
      [2, 'Consent to share my images outside this hospital', adminId],
    ]);
    await screenshot(page, 'consent-admin');

    const phone = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/consent`, PHONE);
    await card(phone, 'imaging-sharing (en)').waitFor();
    await card(phone, 'imaging-sharing (en)').getByText('Read the text').click();
    assert.deepEqual(await overflowingElements(phone), [], 'nothing wider than the phone');
    await screenshot(phone, 'consent-admin-phone');
    await phone.context().close();
    await page.context().close();
  });

  it('retires a form after a confirmation: no longer listed among the current forms', async () => {
    const page = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/consent`);
    const french = card(page, 'imaging-sharing (fr)');
    await french.waitFor();
    page.once('dialog', (dialog) => void dialog.accept());
    await french.getByRole('button', { name: 'Retire' }).click();
    await page.getByRole('heading', { name: 'Retired forms' }).waitFor();
    assert.match((await card(page, 'imaging-sharing (fr)').textContent()) ?? '', /version 1\s*retired/);
    assert.notEqual((await server.node.db.consentForm.findFirstOrThrow({ where: { facilityId, language: 'fr' } })).retiredAt, null);
    await page.context().close();
  });
});
