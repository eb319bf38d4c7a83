// The facility administrator's "Report templates" tab in the built portal with
// real Chromium: a template with no sections is refused with the message beside
// the sections; one with two sections (moved into order) and a pick list is
// created, then edited (a wrong section key is named beside that key), offered
// to an expert starting a report, retired with a confirmation, and no longer
// offered. Shipped templates are copied, not edited. The page at desktop and
// phone width (test-output/e2e/report-templates-*.png), fitting the phone.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { createUser } from '../../lib/policy/test-fixtures';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;

describe('report templates page of a facility administrator', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let facilityId = '';
  let adminId = '';
  let expertId = '';
  const study = makeStudy({ patientId: 'MRN-TPL-1', patientName: 'Иванов^Пётр', modality: 'US', studyDescription: 'US neck', studyDate: '20261203', series: 1, instancesPerSeries: 1, seed: 'report-templates-admin' });

  const card = (page: Page, name: string): Locator => page.locator(`li[data-template="${name}"]`);
  const section = (page: Page, number: number): Locator => page.getByRole('group', { name: new RegExp(`^Section ${number}\\b`) });
  /** The templates the expert's report page offers when a report is started */
  const offeredToExpert = async (): Promise<string[]> => {
    const page = await openSignedIn(browser, server, expertId, `/studies/${study.studyInstanceUid}/report`);
    await page.getByRole('heading', { name: 'Start the report' }).waitFor();
    const options = await page.getByLabel('Template').locator('option').allTextContents();
    await page.context().close();
    return options;
  };

  before(async () => {
    server = await startTestServer({ portal: true });
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, facilityId);
    expertId = (await createUser(db, { email: 'eva@tpl.example', memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('creates a template with two sections and a pick list, refusing one without sections; edits it', async () => {
    const page = await openSignedIn(browser, server, adminId, `/admin/${facilityId}`);
    await page.getByRole('link', { name: 'Report templates' }).click();
    await page.getByRole('heading', { name: 'New template' }).waitFor();
    // The shipped templates are listed, read-only: a copy, never an edit
    const shipped = card(page, 'CT head');
    assert.match((await shipped.textContent()) ?? '', /shipped.*Modality: CT · Body region: HEAD.*cannot be edited or retired — copy it/s);
    assert.equal(await shipped.getByRole('button', { name: 'Edit CT head' }).count(), 0);
    assert.equal(await shipped.getByRole('button', { name: 'Retire' }).count(), 0);

    // No sections: the API's message, beside the sections
    await page.getByLabel('Name', { exact: true }).fill('US thyroid');
    await page.getByRole('button', { name: 'Remove section 1' }).click();
    await page.getByRole('button', { name: 'Create template' }).click();
    assert.equal(await page.locator('#template-sections-error').textContent(), 'A template needs at least one section');

    // Two sections, typed in the wrong order and moved into place with the keyboard
    await page.getByLabel('Modality (optional)').fill('US');
    await page.getByLabel('Body region (optional)').fill('NECK');
    await page.getByRole('button', { name: 'Add a section' }).click();
    await section(page, 1).getByLabel('Heading').fill('Impression');
    assert.equal(await section(page, 1).getByLabel('Key').inputValue(), 'impression', 'a key is proposed from the heading');
    await section(page, 1).getByLabel('Pick list in this section').check();
    await section(page, 1).getByLabel('Pick list label').fill('TI-RADS');
    await section(page, 1).getByLabel('Options, one per line').fill('TR1 benign\nTR3 mildly suspicious\nTR5 highly suspicious');
    await page.getByRole('button', { name: 'Add a section' }).click();
    await section(page, 2).getByLabel('Heading').fill('Findings');
    await section(page, 2).getByLabel('Default text (optional)').fill('Both lobes of normal size.');
    await page.getByRole('button', { name: 'Move section 2 up' }).focus();
    await page.keyboard.press('Enter');
    assert.equal(await section(page, 1).getByLabel('Heading').inputValue(), 'Findings');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Move section 1 down', 'the keyboard stays on the moved section');
    await page.getByRole('button', { name: 'Create template' }).click();
    await page.getByRole('status').filter({ hasText: 'US thyroid created' }).waitFor();
    const created = card(page, 'US thyroid');
    assert.match((await created.textContent()) ?? '', /Modality: US · Body region: NECK/);
    assert.deepEqual(await created.locator('ol > li').allTextContents(), ['Findings', 'Impression · pick list TI-RADS: TR1 benign, TR3 mildly suspicious, TR5 highly suspicious']);

    // Edit: the keyboard lands in the form; a wrong key is named beside that key
    await created.getByRole('button', { name: 'Edit US thyroid' }).click();
    await page.getByRole('heading', { name: 'Edit US thyroid' }).waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).evaluate((input) => input === document.activeElement), true);
    await page.getByLabel('Name', { exact: true }).fill('US thyroid and neck');
    await section(page, 2).getByLabel('Key').fill('Impression!');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const keyError = section(page, 2).getByText('A section key is lower-case letters, digits and _');
    await keyError.waitFor();
    assert.equal(await section(page, 2).getByLabel('Key').getAttribute('aria-invalid'), 'true');
    assert.equal(await section(page, 1).getByText('A section key').count(), 0, 'only the wrong section is marked');
    await screenshot(page, 'report-templates-field-error');
    await section(page, 2).getByLabel('Key').fill('impression');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').filter({ hasText: 'US thyroid and neck saved' }).waitFor();
    await card(page, 'US thyroid and neck').waitFor();
    assert.equal(await card(page, 'US thyroid').count(), 0, 'renamed, not added');
    await screenshot(page, 'report-templates');

    // A copy of a shipped template pre-fills a new one
    await shipped.getByRole('button', { name: 'Copy CT head' }).click();
    await page.getByRole('heading', { name: 'New template from a copy' }).waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'CT head (copy)');
    assert.equal(await section(page, 5).getByLabel('Pick list label').inputValue(), 'Severity');
    await page.getByRole('button', { name: 'Cancel' }).click();

    const phone = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/report-templates`, PHONE);
    await card(phone, 'US thyroid and neck').waitFor();
    assert.deepEqual(await overflowingElements(phone), [], 'nothing wider than the phone');
    await screenshot(phone, 'report-templates-phone');
  });

  it('retires it with a confirmation: listed as retired, no longer offered when an expert starts a report', async () => {
    assert.ok((await offeredToExpert()).includes('US thyroid and neck'), 'offered before it is retired');
    const page = await openSignedIn(browser, server, adminId, `/admin/${facilityId}/report-templates`);
    const template = card(page, 'US thyroid and neck');
    page.once('dialog', (dialog) => void dialog.accept());
    await template.getByRole('button', { name: 'Retire' }).click();
    await template.waitFor({ state: 'detached' });
    await page.getByLabel('Show').selectOption('retired');
    assert.match((await card(page, 'US thyroid and neck').textContent()) ?? '', /retired/);
    assert.equal(await card(page, 'US thyroid and neck').getByRole('button', { name: 'Bring back' }).count(), 1);
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.report_template.retire' } });
    assert.equal(audit.actorUserId, adminId);
    const offered = await offeredToExpert();
    assert.ok(!offered.includes('US thyroid and neck'), `retired: not offered (${offered.join(', ')})`);
    assert.ok(offered.includes('CT head'));
  });

  it('anyone but the facility administrator gets Not found', async () => {
    const page = await openSignedIn(browser, server, expertId, `/admin/${facilityId}/report-templates`);
    await page.getByRole('heading', { name: /not found/i }).waitFor();
    assert.equal(await page.getByText('Create template').count(), 0);
  });
});
