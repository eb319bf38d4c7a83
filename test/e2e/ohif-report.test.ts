// A signed report in OHIF (issue 14), with real parts: the built portal and
// the prebuilt OHIF under /ohif, real Chromium, a real CT study; the expert
// signs through the API (POST /api/reports/{id}/sign; the editor has its own
// e2e), which stores a TID 2000 Enhanced SR and an Encapsulated PDF in the
// study. OHIF then shows both with its own viewers: the SR as text (its SR
// text viewport), the PDF in its PDF viewer (an <object> of the archive's
// .../rendered, which is the document itself: pacs-core/dicomweb/wado-rendered-document.ts).
// The two screenshots (test-output/e2e/ohif-report-*.png) are the README's docs/images/ohif-report-*.png, copied by hand.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import sharp from 'sharp';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { ohifViewerUrl } from '../../lib/ohif/viewer-url';
import { createUser } from '../../lib/policy/test-fixtures';
import { createReport } from '../../lib/reports/create-report';
import { REPORT_PDF_SERIES_DESCRIPTION, REPORT_SR_SERIES_DESCRIPTION } from '../../lib/reports/produce-report-artifacts';
import { saveDraft } from '../../lib/reports/save-draft';
import { getRuntime } from '../../lib/runtime';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { DESKTOP, openSignedIn, SCREENSHOTS } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'ohif report password';
const EXPERT_EMAIL = 'olga@ohif-report.example';
const FINDINGS = 'Consolidation in the right lower lobe with air bronchograms. No pleural effusion.';
const IMPRESSION = 'Right lower lobe pneumonia. Пневмония нижней доли справа.';

/** The share of a screenshot's pixels that are (near) white: a PDF page on the viewer's grey. */
async function whiteShare(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let white = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i] > 240 && data[i + 1] > 240 && data[i + 2] > 240) white += 1;
  return white / (info.width * info.height);
}

/** Polls until `check` holds (what the user sees can take a moment to render), then returns its last value. */
async function waitUntil<T>(page: Page, read: () => Promise<T>, check: (value: T) => boolean, timeout = 60_000): Promise<T> {
  const deadline = Date.now() + timeout;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await page.waitForTimeout(250);
    value = await read();
  }
  return value;
}

describe('a signed report in OHIF: its SR and its PDF, each in OHIF\'s own viewer', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let expertId = '';
  const study = makeStudy({ patientId: 'OHIF-RPT-1', patientName: 'Report^Rita', studyDescription: 'CT chest', modality: 'CT', series: 1, instancesPerSeries: 4, rows: 256, columns: 256, seed: 'ohif-report' });

  before(async () => {
    server = await startTestServer({ portal: true });
    const db = server.node.db;
    const facilityId = (await db.membership.findFirstOrThrow({ where: { user: { email: TEST_ADMIN_EMAIL } } })).facilityId;
    expertId = (await createUser(db, { email: EXPERT_EMAIL, passwordHash: await hashPassword(PASSWORD), memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    await db.user.update({ where: { id: expertId }, data: { name: 'Olga Kovač' } });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, facilityId);

    const expert = { userId: expertId, email: EXPERT_EMAIL, ip: '10.7.0.2' };
    const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: 'CT chest', facilityId: null } })).id;
    const { report } = await createReport(getRuntime(), expert, study.studyInstanceUid, { templateId });
    const draft = await saveDraft(getRuntime(), expert, report.id, {
      baseRevision: report.revision,
      sections: [
        { key: 'findings', text: FINDINGS },
        { key: 'impression', text: IMPRESSION },
      ],
      keyImages: [{ seriesUid: study.seriesInstanceUids[0], sopUid: study.sopInstanceUids[0][1], frame: 1 }],
    });
    const url = new URL(`/api/reports/${report.id}/sign`, server.url);
    const { token } = await createSession(db, { userId: expertId, ttlHours: 1 });
    const signed = await fetch(url, {
      method: 'POST',
      headers: { origin: url.origin, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ baseRevision: draft.revision, password: PASSWORD }),
    });
    assert.equal(signed.status, 200, await signed.clone().text());
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The study browser's thumbnail of a report series (OHIF shows SR and DOC series without an image). */
  function seriesThumbnail(page: Page, description: string): Locator {
    const all = page.locator('[data-cy="study-browser-thumbnail-no-image"]').filter({ hasText: description });
    return description.includes('PDF') ? all : all.filter({ hasNotText: 'PDF' });
  }

  it('shows the SR as its text (sections and impression) and the PDF in its PDF viewer', async () => {
    const page = await openSignedIn(browser, server, expertId, ohifViewerUrl(study.studyInstanceUid), DESKTOP);
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    const diagnosis = () => `failed requests: ${failed.join(' | ') || 'none'}; console errors: ${consoleErrors.join(' | ') || 'none'}`;

    // The SR: OHIF's SR viewport shows a TID 2000 report (not a measurement report) as its content tree, as text.
    const srThumbnail = seriesThumbnail(page, REPORT_SR_SERIES_DESCRIPTION);
    await srThumbnail.first().waitFor({ timeout: 120_000 });
    await srThumbnail.first().dblclick();
    const impression = page.getByText(IMPRESSION, { exact: false });
    await impression.first().waitFor({ timeout: 60_000 }).catch(() => assert.fail(`OHIF did not show the SR's impression. ${diagnosis()}`));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ohif-report-sr.png') });
    assert.ok(await impression.first().isVisible(), 'the impression is on screen');
    assert.ok(await page.getByText(FINDINGS).first().isVisible(), 'the findings are on screen');
    assert.ok(await page.getByText('Diagnostic Imaging Report').first().isVisible(), "the SR's title (TID 2000 root container) is on screen");
    assert.ok(await page.getByText(/Kovač/).first().isVisible(), 'the author (person observer) is on screen');

    // The PDF: OHIF's PDF viewer, an <object type="application/pdf"> of the archive's .../rendered.
    const pdfThumbnail = seriesThumbnail(page, REPORT_PDF_SERIES_DESCRIPTION);
    await pdfThumbnail.first().dblclick();
    const pdfObject = page.locator('object[type="application/pdf"][data]');
    await pdfObject.waitFor({ timeout: 60_000 }).catch(() => assert.fail(`OHIF did not open its PDF viewer. ${diagnosis()}`));
    const source = (await pdfObject.getAttribute('data')) ?? '';
    assert.match(source, /\/rendered$/, 'OHIF loads the PDF from the archive’s rendered resource');
    // Chromium's PDF viewer draws the page white on grey; the fallback text means no PDF was shown.
    const share = await waitUntil(page, async () => whiteShare(await pdfObject.screenshot()), (value) => value > 0.2);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'ohif-report-pdf.png') });
    assert.ok(share > 0.2, `the PDF viewer shows no page (${Math.round(share * 100)}% white). ${diagnosis()}`);
    assert.equal(await page.getByText('No online PDF viewer installed').isVisible(), false);
    assert.deepEqual(failed.filter((line) => /\/rendered|\/bulkdata|\/metadata/.test(line)), [], 'no failed archive request');
    await page.context().close();
  });
});
