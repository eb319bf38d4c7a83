// The upload page under the archive's STOW-RS limits (issue 12 §3), in a real
// Chromium against a node with STOW_MAX_PART_MB=1: a file larger than that is
// reported with the archive's limit and not sent; the files picked with it
// are stored. Screenshots go to test-output/e2e/upload-limits-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { makeInstance } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const SCREENSHOTS = path.resolve('test-output/e2e');

describe('upload page with a 1 MB part limit', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let work = '';

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    work = mkdtempSync(path.join(tmpdir(), 'telepacs-upload-limits-'));
    server = await startTestServer({ portal: true, env: { STOW_MAX_PART_MB: '1' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  for (const viewport of [
    { name: 'desktop', width: 1280, height: 900 },
    { name: 'phone', width: 390, height: 844 },
  ]) {
    it(`reports a file over the archive's limit with that limit and stores the others (${viewport.name})`, async () => {
      const study = { patientId: `LIMIT-${viewport.name}`, seed: `upload-limits-${viewport.name}` };
      const files = {
        'small-1.dcm': makeInstance({ ...study, instanceNumber: 1 }),
        // 900 × 900 × 2 bytes of pixels: 1.5 MiB, over STOW_MAX_PART_MB=1
        'large-ct.dcm': makeInstance({ ...study, instanceNumber: 2, rows: 900, columns: 900, bitsAllocated: 16 }),
        'small-3.dcm': makeInstance({ ...study, instanceNumber: 3 }),
      };
      assert.ok(files['large-ct.dcm'].length > 1024 * 1024);
      const paths = Object.entries(files).map(([name, bytes]) => {
        const file = path.join(work, `${viewport.name}-${name}`);
        writeFileSync(file, bytes);
        return file;
      });

      const page = await (await browser.newContext({ viewport })).newPage();
      await page.goto(`${server.url}/sign-in?next=%2Fupload`);
      await page.getByLabel('Email').fill(TEST_ADMIN_EMAIL);
      await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Upload images' }).waitFor();
      await page.locator('input[type=file]:not([webkitdirectory])').setInputFiles(paths);

      const rows = page.locator('tbody tr');
      await rows.nth(2).waitFor();
      await page.waitForFunction(() => !/Waiting|Sending/.test(document.querySelector('tbody')?.textContent ?? 'Waiting'));
      await page.screenshot({ path: path.join(SCREENSHOTS, `upload-limits-${viewport.name}.png`), fullPage: true });
      const table = await rows.evaluateAll((elements) => elements.map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent ?? '')));
      const byName = new Map(table.map(([file, status, details]) => [file.replace(`${viewport.name}-`, ''), { status, details }]));
      assert.deepEqual(byName.get('large-ct.dcm'), { status: 'Failed', details: 'Larger than the archive accepts (1 MB per file)' });
      assert.equal(byName.get('small-1.dcm')?.status, 'Stored');
      assert.equal(byName.get('small-3.dcm')?.status, 'Stored');
      await page.getByRole('status').filter({ hasText: '2 stored' }).filter({ hasText: '1 failed' }).waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.equal(overflow, 0, 'the results fit the screen');

      const stored = await server.node.db.instance.count({ where: { series: { study: { patient: { patientId: study.patientId } } } } });
      assert.equal(stored, 2);
      await page.context().close();
    });
  }
});
