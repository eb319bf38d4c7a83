// Co-signature and the facility's signing certificate (issue 14) in real
// Chromium against a real portal, archive and database. Expert A has a draft
// (written through lib/reports to stay fast) and sends it to expert B with the
// report page's "Send for signature…" dialog (looked at on a desktop and on a
// phone); B has the worklist open and sees it under "Waiting for your
// signature" without reloading, opens it and signs it with the password; A's
// page turns FINAL, signed by B, without reloading. A second request A
// withdraws leaves B's list again. The facility admin imports a PEM
// certificate and key a hospital CA issued (made here with openssl): a key of
// another certificate is refused under the key field, the right one shows
// subject, issuer, validity and fingerprint.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { createReport } from '../../lib/reports/create-report';
import { saveDraft } from '../../lib/reports/save-draft';
import { getRuntime } from '../../lib/runtime';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { DESKTOP, openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { createTestPki, type TestPki } from '../support/test-pki';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'cosign e2e password 2026';

describe('co-signature and the signing certificate in the browser', { skip, timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let pki: TestPki;
  let facilityId = '';
  const users = { anna: '', boris: '', admin: '' };
  const first = makeStudy({ patientId: 'COSIGN-1', patientName: 'Kovač^Mila', modality: 'CT', studyDescription: 'CT chest', series: 1, instancesPerSeries: 1, rows: 64, columns: 64, seed: 'cosign-1' });
  const second = makeStudy({ patientId: 'COSIGN-2', patientName: 'Lindqvist^Åsa', modality: 'CT', studyDescription: 'CT head', series: 1, instancesPerSeries: 1, rows: 64, columns: 64, seed: 'cosign-2' });

  before(async () => {
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
    pki = createTestPki('Valley Health Trust CA');
    const db = server.node.db;
    facilityId = server.node.firstRun.facilityId;
    for (const file of [...first, ...second]) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, facilityId);
    const passwordHash = await hashPassword(PASSWORD);
    users.anna = (await createUser(db, { email: 'anna@cosign.example', name: 'Anna Author', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    users.boris = (await createUser(db, { email: 'boris@cosign.example', name: 'Boris Cosigner', passwordHash, memberships: [{ facilityId, role: 'EXPERT' }] })).id;
    users.admin = (await db.user.findFirstOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    // A's drafts, one per study
    const anna = { userId: users.anna, email: 'anna@cosign.example', ip: '10.14.1.1' };
    for (const [study, template, impression] of [
      [first, 'CT chest', 'Небольшой выпот справа.'],
      [second, 'CT head', 'No acute intracranial abnormality.'],
    ] as const) {
      const templateId = (await db.reportTemplate.findFirstOrThrow({ where: { name: template, facilityId: null } })).id;
      const { report } = await createReport(getRuntime(), anna, study.studyInstanceUid, { templateId });
      await saveDraft(getRuntime(), anna, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: impression }] });
    }
  });
  after(async () => {
    pki?.cleanup();
    await browser?.close();
    await server?.stop();
  });

  const status = (page: Page) => page.getByTestId('report-status').first();
  const connected = (page: Page) => page.locator('html[data-report-events="connected"]').waitFor();
  /** Marks the tab's document; notReloaded(page) says whether it is still the same one (a client-side refresh keeps it) */
  const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);

  async function sendForSignature(page: Page, shots?: string): Promise<void> {
    await page.getByRole('button', { name: 'Send for signature…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Send for signature' });
    await dialog.getByLabel('Colleague').selectOption({ label: 'Boris Cosigner (boris@cosign.example)' });
    if (shots) {
      await screenshot(page, shots, { fullPage: false });
      await page.setViewportSize(PHONE);
      const box = await dialog.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the dialog fits the phone');
      assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
      await screenshot(page, `${shots}-phone`, { fullPage: false });
      await page.setViewportSize(DESKTOP);
    }
    await dialog.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('signature-request').filter({ hasText: 'Waiting for signature by Boris Cosigner.' }).waitFor();
  }

  it('A sends a draft to B, who sees it on the worklist and signs it; A sees it signed; a second request is withdrawn', async () => {
    // B's worklist is open before anything is sent: nothing waits for B
    const worklist = await openSignedIn(browser, server, users.boris, '/');
    await connected(worklist);
    assert.equal(await worklist.getByTestId('awaiting-signature').count(), 0);
    await markDocument(worklist);
    const waiting = worklist.getByTestId('awaiting-signature');
    const firstRow = worklist.locator('#worklist tbody tr').filter({ hasText: 'COSIGN-1' });

    const page = await openSignedIn(browser, server, users.anna, `/studies/${first.studyInstanceUid}/report`);
    assert.equal(await status(page).textContent(), 'DRAFT');
    await sendForSignature(page, 'report-cosign-dialog');
    assert.equal(await status(page).textContent(), 'DRAFT');
    assert.equal(await page.getByRole('button', { name: 'Send to someone else…' }).count(), 1);
    await screenshot(page, 'report-cosign-waiting');

    // Without a reload, B's worklist lists it; the row's badge does not claim a draft B cannot read
    await waiting.getByRole('heading', { name: 'Waiting for your signature (1)' }).waitFor({ timeout: 15_000 });
    assert.match((await waiting.textContent()) ?? '', /Kovač.*Mila · MRN COSIGN-1 · CT chest — Draft, sent by Anna Author on \d{4}-\d\d-\d\d/);
    assert.equal(await firstRow.locator('[data-report-status]').count(), 0, 'no badge for a draft B does not author');
    assert.ok(await notReloaded(worklist), 'no reload');
    await screenshot(worklist, 'report-cosign-worklist');

    // B opens it and signs with the password; it cannot be edited
    await connected(page);
    await markDocument(page);
    await waiting.getByRole('link', { name: /COSIGN-1/ }).click();
    await worklist.waitForURL(`**/studies/${first.studyInstanceUid}/report`);
    await worklist.getByText('Небольшой выпот справа.').waitFor();
    assert.equal(await worklist.locator('textarea').count(), 0, 'the colleague signs what was sent, without editing it');
    assert.equal(await worklist.getByRole('button', { name: 'Hand back' }).count(), 1);
    await worklist.getByRole('button', { name: 'Sign…' }).click();
    await worklist.getByLabel('Your password').fill(PASSWORD);
    await worklist.getByRole('button', { name: 'Sign', exact: true }).click();
    await status(worklist).filter({ hasText: 'FINAL' }).waitFor();
    assert.match((await worklist.getByTestId('signed-by').textContent()) ?? '', /Signed by Boris Cosigner · \d{4}-\d\d-\d\d \d\d:\d\d UTC/);

    // A's page turns FINAL, signed by B, without a reload; the request is gone
    await status(page).filter({ hasText: 'FINAL' }).waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId('signed-by').textContent()) ?? '', /Signed by Boris Cosigner/);
    assert.equal(await page.getByTestId('signature-request').count(), 0);
    assert.equal(await page.locator('textarea').count(), 0, 'the signed version is read-only for its author too');
    assert.ok(await notReloaded(page), 'no reload');
    await screenshot(page, 'report-cosign-signed');

    // A second request: B's worklist lists it, A withdraws it, and it leaves B's list
    await worklist.goto(`${server.url}/`);
    await connected(worklist);
    assert.equal(await waiting.count(), 0, 'the signed report waits no more');
    await page.goto(`${server.url}/studies/${second.studyInstanceUid}/report`);
    await sendForSignature(page);
    await waiting.getByRole('link', { name: /COSIGN-2/ }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Withdraw request' }).click();
    await page.getByRole('button', { name: 'Send for signature…' }).waitFor();
    assert.equal(await page.getByTestId('signature-request').count(), 0);
    assert.equal(await status(page).textContent(), 'DRAFT');
    await waiting.waitFor({ state: 'detached', timeout: 15_000 });
    // B may not open a draft no longer sent to B
    await worklist.goto(`${server.url}/studies/${second.studyInstanceUid}/report`);
    await worklist.getByRole('heading', { name: 'Report: CT head' }).waitFor();
    assert.equal(await worklist.getByText('No acute intracranial abnormality.').count(), 0, "A's draft is A's again");
    assert.equal(await worklist.getByRole('button', { name: 'Sign…' }).count(), 0);
  });

  it("the facility admin imports the hospital CA's certificate; a key of another certificate is refused", async () => {
    const leaf = pki.issue('Valley Health report signing');
    const other = pki.issue('Someone else');
    const certificatePem = readFileSync(leaf.cert, 'utf8');
    const x509 = new X509Certificate(certificatePem);
    const page = await openSignedIn(browser, server, users.admin, `/admin/${facilityId}`);
    const section = page.getByRole('region', { name: 'Report signing certificate' });
    await section.scrollIntoViewIfNeeded();

    await section.getByLabel('Certificate (PEM; its CA chain may follow)').fill(certificatePem);
    await section.getByLabel('Private key (PEM, not encrypted)').fill(readFileSync(other.key, 'utf8'));
    await section.getByRole('button', { name: 'Import certificate' }).click();
    await section.locator('#signing-key-error').filter({ hasText: 'the private key does not belong to the certificate' }).waitFor();
    assert.equal(await section.locator('#signing-certificate-error').textContent(), '');
    assert.doesNotMatch((await section.textContent()) ?? '', /CN=Valley Health report signing/, 'nothing was imported');
    await screenshot(page, 'admin-signing-certificate-refused');

    await section.getByLabel('Private key (PEM, not encrypted)').fill(readFileSync(leaf.key, 'utf8'));
    await section.getByRole('button', { name: 'Import certificate' }).click();
    await section.getByRole('status').filter({ hasText: 'Imported.' }).waitFor();
    const shown = section.getByTestId('signing-certificate');
    await shown.filter({ hasText: 'CN=Valley Health report signing' }).waitFor();
    const text = (await shown.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Subject O=Telepacs tests, CN=Valley Health report signing/);
    assert.match(text, /Issuer CN=Valley Health Trust CA (?!\(self-signed)/);
    const day = (date: string) => new Date(date).toISOString().slice(0, 10);
    assert.match(text, new RegExp(`Valid ${day(x509.validFrom)} to ${day(x509.validTo)}`));
    assert.match(text, new RegExp(`SHA-256 fingerprint ${x509.fingerprint256}`));
    assert.equal(await section.locator('#signing-key-error').textContent(), '');
    await screenshot(page, 'admin-signing-certificate');
  });
});
