// The report editor (/studies/{uid}/report) in real Chromium against a real
// portal, archive and database: an expert finds the unreported study on the
// worklist (Report filter "Unreported", oldest first: a study with a released
// report is not listed), opens it and starts a report from a template,
// writes Cyrillic findings (autosaved, still there after a reload), measures a
// length in the viewer beside the report and adds that image as a key image
// (with its measurement), picks a prior to compare with, releases it as preliminary, signs (a
// wrong password first), amends it with a reason and signs the amendment;
// a referring doctor then reads the amended report on a phone, read-only.
// The editor's screenshot (test-output/e2e/report-editor-readme.png) is the README's docs/images/report-editor.png, copied by hand.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { createReport } from '../../lib/reports/create-report';
import { makePreliminary } from '../../lib/reports/make-preliminary';
import { saveDraft } from '../../lib/reports/save-draft';
import { getRuntime } from '../../lib/runtime';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { DESKTOP, openSignedIn, overflowingElements, PHONE, SCREENSHOTS, screenshot } from '../support/screens';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'report editor password 2026';
const FINDINGS = 'Лёгкие расправлены, очаговых и инфильтративных изменений не выявлено.\nСредостение не смещено.';
const IMPRESSION = 'Без патологических изменений органов грудной клетки.';
const patient = { patientId: 'MRN-RE-1001', patientName: 'Петрова^Анна', modality: 'CT' };

interface ShownAnnotation {
  uid: string;
  tool: string;
  locked: boolean;
}
const shownAnnotations = (page: Page) => page.evaluate(() => (window as unknown as { __telepacsViewer: { annotations(): ShownAnnotation[] } }).__telepacsViewer.annotations());

/** Drags with a measurement tool across the report's viewer, between two points given in fractions of the pane. */
async function draw(page: Page, tool: string, from: [number, number], to: [number, number]): Promise<void> {
  await page.getByRole('button', { name: tool, exact: true }).click();
  const box = await page.getByTestId('report-viewport').boundingBox();
  assert.ok(box, 'the viewer is on screen');
  const at = (point: [number, number]) => [box.x + box.width * point[0], box.y + box.height * point[1]] as const;
  await page.mouse.move(...at(from));
  await page.mouse.down();
  for (let step = 1; step <= 8; step++) {
    await page.mouse.move(at(from)[0] + ((at(to)[0] - at(from)[0]) * step) / 8, at(from)[1] + ((at(to)[1] - at(from)[1]) * step) / 8);
  }
  await page.mouse.up();
}

describe('the report editor', { skip, timeout: 20 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let expertId = '';
  let referrerId = '';
  const current = makeStudy({ ...patient, studyDescription: 'CT chest', studyDate: '20261201', series: 2, instancesPerSeries: 3, seed: 'report-editor-current' });
  const prior = makeStudy({ ...patient, studyDescription: 'CT chest (prior)', studyDate: '20250610', series: 1, instancesPerSeries: 1, seed: 'report-editor-prior' });
  // Another patient's study whose report is already released: not on the reading list
  const reported = makeStudy({ patientId: 'MRN-RE-2002', patientName: 'Horvat^Ivan', modality: 'CT', studyDescription: 'CT head', studyDate: '20241115', series: 1, instancesPerSeries: 1, rows: 64, columns: 64, seed: 'report-editor-reported' });

  before(async () => {
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
    const db = server.node.db;
    const facility = await db.facility.findFirstOrThrow({ where: { code: 'DEMO' } });
    for (const file of [...current, ...prior, ...reported]) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, facility.id);
    const passwordHash = await hashPassword(PASSWORD);
    const expert = await db.user.create({ data: { email: 'olga@rep.example', name: 'Ольга Радиолог', passwordHash } });
    await db.membership.create({ data: { userId: expert.id, facilityId: facility.id, role: 'EXPERT' } });
    const referrer = await db.user.create({ data: { email: 'rita@rep.example', name: 'Rita Referrer', passwordHash } });
    await db.membership.create({ data: { userId: referrer.id, facilityId: facility.id, role: 'REFERRING' } });
    expertId = expert.id;
    referrerId = referrer.id;
    const principal = { userId: expert.id, email: expert.email, ip: '10.14.0.1' };
    const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: 'CT head', facilityId: null } })).id;
    const { report } = await createReport(getRuntime(), principal, reported.studyInstanceUid, { templateId });
    const draft = await saveDraft(getRuntime(), principal, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'No intracranial haemorrhage.' }] });
    await makePreliminary(getRuntime(), principal, report.id, { baseRevision: draft.revision });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const status = (page: Page) => page.getByTestId('report-status').first();

  async function sign(page: Page, password: string): Promise<void> {
    await page.getByRole('button', { name: 'Sign…' }).click();
    await page.getByLabel('Your password').fill(password);
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
  }

  it('writes, releases, signs and amends a report; a referrer reads it on a phone', async () => {
    // The reading list: unreported studies of the facility, oldest first
    const page = await openSignedIn(browser, server, expertId, '/');
    await page.getByLabel('Report', { exact: true }).selectOption({ label: 'Unreported' });
    await page.getByLabel('Order').selectOption({ label: 'Oldest first' });
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/[?&]report=unreported/);
    const rows = page.locator('#worklist tbody tr');
    const listed = (await rows.allInnerTexts()).filter((row) => /MRN-RE-/.test(row));
    assert.equal(listed.length, 2, listed.join('\n'));
    assert.match(listed[0], /CT chest \(prior\)/, 'oldest first');
    assert.match(listed[1], /CT chest(?! \()/);
    assert.equal(await rows.filter({ hasText: 'MRN-RE-2002' }).count(), 0, 'a study with a released report is not unreported');
    await screenshot(page, 'report-worklist-unreported');
    await rows.filter({ hasText: 'MRN-RE-1001' }).filter({ hasNotText: '(prior)' }).getByRole('link', { name: '2026-12-01' }).click();
    await page.waitForURL(`**/studies/${current.studyInstanceUid}`);
    await page.getByRole('link', { name: 'Report', exact: true }).click();
    await page.getByRole('heading', { name: 'Start the report' }).waitFor();
    await page.getByLabel('Template').selectOption({ label: 'CT chest' });
    await page.getByRole('button', { name: 'Start report' }).click();

    await page.getByLabel('Findings').fill(FINDINGS);
    await page.getByLabel('Impression').fill(IMPRESSION);
    await page.getByLabel('Severity').selectOption('Normal');
    await page.getByLabel('Compared with').selectOption({ label: '2025-06-10 · CT · CT chest (prior)' });

    // The viewer beside the report: the first series; to its third image, a length measured there, added as a key image
    const imageIndex = page.getByTestId('image-index-0');
    await imageIndex.filter({ hasText: 'Im 1/3' }).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Next image' }).click();
    await imageIndex.filter({ hasText: 'Im 2/3' }).waitFor();
    await page.getByRole('button', { name: 'Next image' }).click();
    await imageIndex.filter({ hasText: 'Im 3/3' }).waitFor();
    await draw(page, 'Length', [0.3, 0.3], [0.65, 0.6]);
    await page.waitForFunction(() => (window as unknown as { __telepacsViewer: { annotations(): { tool: string }[] } }).__telepacsViewer.annotations().some((annotation) => annotation.tool === 'Length'));
    await page.getByRole('button', { name: 'Add key image' }).click();
    assert.match((await page.getByTestId('key-images').textContent()) ?? '', /Series 1 CT \(Series 1\) · image 3 of 3 · 1 annotation(?!s)/);
    await page.getByTestId('save-state').filter({ hasText: /^Saved \d\d:\d\d:\d\d$/ }).waitFor({ timeout: 15_000 });
    assert.equal(await status(page).textContent(), 'DRAFT');
    await screenshot(page, 'report-editor');
    // The README's picture (docs/images/report-editor.png) is copied from here by hand
    await page.screenshot({ path: path.join(SCREENSHOTS, 'report-editor-readme.png'), fullPage: true });

    // Nothing typed is lost: after a reload the text, the pick, the prior and the key image are back
    await page.reload();
    assert.equal(await page.getByLabel('Findings').inputValue(), FINDINGS);
    assert.equal(await page.getByLabel('Impression').inputValue(), IMPRESSION);
    assert.equal(await page.getByLabel('Severity').inputValue(), 'Normal');
    assert.equal(await page.getByLabel('Compared with').inputValue(), prior.studyInstanceUid);
    assert.match((await page.getByTestId('key-images').textContent()) ?? '', /image 3 of 3 · 1 annotation(?!s)/);
    // The key image keeps its measurement: stored with the draft, and shown again on its image
    const draft = await server.node.db.reportVersion.findFirstOrThrow({ where: { report: { studyInstanceUid: current.studyInstanceUid } } });
    const [stored] = JSON.parse(draft.keyImages) as { sopUid: string; annotations?: { tool: string; points: unknown[]; stats?: { length?: number }; frameOfReferenceUid: string }[] }[];
    assert.equal(stored.annotations?.length, 1);
    assert.equal(stored.annotations[0].tool, 'Length');
    assert.equal(stored.annotations[0].points.length, 2);
    assert.ok((stored.annotations[0].stats?.length ?? 0) > 0, 'the length measured is kept');
    assert.notEqual(stored.annotations[0].frameOfReferenceUid, '');
    await page.waitForFunction(() => (window as unknown as { __telepacsViewer?: { annotations(): { tool: string }[] } }).__telepacsViewer?.annotations().some((annotation) => annotation.tool === 'Length'));
    // On a phone the viewer stacks above the editor, nothing wider than the screen
    await page.setViewportSize(PHONE);
    const viewerBox = await page.getByTestId('report-viewport').boundingBox();
    const findingsBox = await page.getByLabel('Findings').boundingBox();
    assert.ok(viewerBox && findingsBox && viewerBox.y + viewerBox.height <= findingsBox.y, 'the viewer is above the editor');
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
    await screenshot(page, 'report-editor-phone');
    await page.setViewportSize(DESKTOP);

    await page.getByRole('button', { name: 'Release as preliminary' }).click();
    await status(page).filter({ hasText: 'PRELIMINARY' }).waitFor();

    await sign(page, 'not my password');
    await page.getByText('That is not your password').waitFor();
    assert.equal(await status(page).textContent(), 'PRELIMINARY');
    await page.getByLabel('Your password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign', exact: true }).click();
    await status(page).filter({ hasText: 'FINAL' }).waitFor();
    assert.match((await page.getByTestId('signed-by').textContent()) ?? '', /Signed by Ольга Радиолог · \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    assert.match((await page.locator('main').textContent()) ?? '', /Лёгкие расправлены/);
    assert.equal(await page.locator('textarea').count(), 0, 'a signed version is read-only');

    await page.getByRole('button', { name: 'Amend…' }).click();
    await page.getByRole('button', { name: 'Open amendment' }).click();
    assert.equal(await page.getByLabel('Reason for the amendment').evaluate((field: HTMLTextAreaElement) => field.validity.valueMissing), true, 'a reason is required');
    await page.getByLabel('Reason for the amendment').fill('Уточнение: добавлено сравнение с исследованием 2025 г.');
    await page.getByRole('button', { name: 'Open amendment' }).click();
    await page.getByLabel('Impression').waitFor();
    assert.equal(await status(page).textContent(), 'DRAFT');
    await page.getByLabel('Impression').fill(`${IMPRESSION} Динамики нет.`);
    await sign(page, PASSWORD);
    await status(page).filter({ hasText: 'AMENDED' }).waitFor();
    assert.match((await page.getByTestId('version-1').textContent()) ?? '', /FINAL · superseded/);
    assert.match((await page.getByTestId('version-2').textContent()) ?? '', /AMENDED/);

    // The superseded version stays readable and says so
    await page.getByRole('link', { name: 'Version 1' }).click();
    await page.getByText('Superseded by version 2').waitFor();

    const phone = await openSignedIn(browser, server, referrerId, `/studies/${current.studyInstanceUid}/report`, PHONE);
    assert.equal(await status(phone).textContent(), 'AMENDED');
    const text = (await phone.locator('main').textContent()) ?? '';
    assert.match(text, /Динамики нет\./);
    assert.match(text, /Лёгкие расправлены/);
    assert.match(text, /Series 1 CT \(Series 1\) · image 3 of 3 · 1 annotation/, 'the key image is named for the reader too');
    assert.equal(await phone.getByRole('button', { name: 'Add key image' }).count(), 0);
    assert.equal(await phone.locator('textarea').count(), 0, 'a referrer reads, never edits');
    assert.equal(await phone.getByRole('button', { name: /^(Amend…|Addendum…|Sign…|Release as preliminary)$/ }).count(), 0);
    assert.deepEqual(await overflowingElements(phone), [], 'nothing wider than the phone');
    await screenshot(phone, 'phone-report');
  });
});
