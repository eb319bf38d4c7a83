// What a new user hit on a fresh clone (issue 13 §6), checked in the built
// portal with real Chromium tabs: inviting a colleague by first name, the
// room's W/L as the image says it, the ended room, the favicon, the upload
// result naming patient and study, finding an MRN by part of its number, and
// changing one's own password (which signs out one's other browsers).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM } from '../support/browser';
import { CONSULT_PASSWORD, startConsultHarness, waitForRoom, type ConsultHarness } from '../support/consult-harness';
import { makeInstance } from '../support/fixtures';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const NEW_PASSWORD = 'quiet harbour violin 7 maple';

describe('what a new user hit on a fresh clone', { skip, timeout: 20 * 60_000 }, () => {
  let harness: ConsultHarness;
  let host: Page;
  let expert: Page;
  let consultationId: string;

  before(async () => {
    harness = await startConsultHarness({ instances: 3 });
  });
  after(async () => {
    await harness?.close();
  });

  it('serves /favicon.ico as an icon, without signing in', async () => {
    const response = await fetch(`${harness.server.url}/favicon.ico`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^image\//);
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 4)], [0, 0, 1, 0], 'an ICO file');
  });

  it('invites a colleague by first name; suggestions and chips name the person; no match or several are said before Start', async () => {
    host = await harness.openPage('host', `/studies/${harness.study.studyInstanceUid}`);
    await host.getByText('Start a teleconsultation').click();
    const suggestions = await host.locator('#consult-colleagues option').evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    assert.ok(suggestions.includes('Dr Erik Expert — expert@valley-clinic.example (Valley Clinic)'), suggestions.join(' | '));
    assert.ok(!suggestions.some((text) => /\((expert|referring)\)/.test(text)), 'no role words in place of the person');
    const invite = host.getByLabel(/Invite colleagues/);
    const add = host.getByRole('button', { name: 'Add', exact: true });

    await invite.fill('Zoltan');
    await add.click();
    await host.getByRole('alert').filter({ hasText: 'No colleague matches “Zoltan”' }).waitFor();
    await invite.fill('Dr');
    await add.click();
    await host.getByRole('alert').filter({ hasText: /“Dr” matches 3 colleagues/ }).waitFor();
    await invite.fill('Erik');
    await add.click();
    const chips = host.getByRole('list', { name: 'Invited' });
    await chips.getByText('Dr Erik Expert — expert@valley-clinic.example (Valley Clinic)').waitFor();
    assert.equal(await host.getByText('Not an e-mail address').count(), 0);

    await host.getByRole('button', { name: 'Start and open the session' }).click();
    await host.waitForURL(/\/consultations\/[^/]+$/, { timeout: 60_000 });
    consultationId = new URL(host.url()).pathname.split('/').pop()!;
    await waitForRoom(host);
    const invited = await harness.server.node.db.consultationParticipant.findMany({ where: { consultationId }, select: { userId: true } });
    assert.deepEqual(invited.map((entry) => entry.userId).sort(), [harness.users.host.id, harness.users.expert.id].sort());
  });

  it("shows the image's own window, 2000/0, not 1999/0", async () => {
    // The fixture's WindowWidth/WindowCenter (test/support/fixtures.ts); PS3.3 C.11.2.1.2.1
    await host.getByTestId('window-0').filter({ hasText: /^W 2000 L 0$/ }).waitFor({ timeout: 20_000 });
    await host.getByLabel('Window preset').selectOption('Lung');
    await host.getByTestId('window-0').filter({ hasText: /^W 1500 L -600$/ }).waitFor({ timeout: 20_000 });
  });

  it('after End, shows who ended it and when, and no presenter controls', async () => {
    expert = await harness.openPage('expert', `/consultations/${consultationId}`);
    await waitForRoom(expert);
    await host.getByLabel('Hand over presenting').waitFor({ timeout: 20_000 });
    host.once('dialog', (dialog) => void dialog.accept());
    await host.getByRole('button', { name: 'End session' }).click();
    for (const page of [host, expert]) {
      await page.getByTestId('ended').filter({ hasText: /This teleconsultation has ended: Dr Hana Host ended it on \d+ \w+ \d{4}, \d\d:\d\d UTC/ }).waitFor({ timeout: 20_000 });
      assert.equal(await page.getByText(/You are presenting|is presenting/).count(), 0);
      assert.equal(await page.getByLabel('Hand over presenting').count(), 0);
      assert.equal(await page.getByRole('button', { name: /Present|Ask to present|Follow/ }).count(), 0);
    }
    // Opened again later: the same ended state, from the page itself
    await host.reload();
    await host.getByTestId('ended').filter({ hasText: /Dr Hana Host ended it on/ }).waitFor({ timeout: 60_000 });
    assert.equal(await host.getByTestId('presenter').count(), 0);
  });

  it('the upload result names the patient and study stored, with links, and the file refused with its reason', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'telepacs-first-user-'));
    const study = { patientId: 'MRN-4471203', patientName: 'Keller^Anna', studyDescription: 'CT abdomen', seed: 'first-user-upload' };
    writeFileSync(path.join(work, 'IM1.dcm'), makeInstance({ ...study, instanceNumber: 1 }));
    writeFileSync(path.join(work, 'IM2.dcm'), makeInstance({ ...study, instanceNumber: 2 }));
    writeFileSync(path.join(work, 'notes.bin'), Buffer.from('this is not a DICOM file at all, just some words'));
    await host.goto(`${harness.server.url}/upload`);
    await host.locator('input[type=file]:not([webkitdirectory])').setInputFiles(['IM1.dcm', 'IM2.dcm', 'notes.bin'].map((name) => path.join(work, name)));
    const stored = host.getByTestId('stored-studies');
    await stored.waitFor({ timeout: 60_000 });
    const text = (await stored.textContent()) ?? '';
    assert.match(text, /KELLER, ANNA|Keller, Anna/i);
    assert.match(text, /MRN MRN-4471203/);
    assert.match(text, /CT abdomen/);
    assert.match(text, /2 instances stored now/);
    const stowed = await harness.server.node.db.study.findFirstOrThrow({ where: { patient: { patientId: 'MRN-4471203' } }, include: { patient: true } });
    assert.equal(await stored.locator(`a[href="/studies/${stowed.studyInstanceUid}"]`).count(), 1);
    assert.equal(await stored.locator(`a[href="/patients/${stowed.patient.id}"]`).count(), 1);
    const failed = (await host.getByTestId('failed-files').textContent()) ?? '';
    assert.match(failed, /notes\.bin: \S+/);
  });

  it('finds an MRN typed without its prefix, and the empty result mentions * wildcards', async () => {
    const uploaded = await harness.server.node.db.study.findFirstOrThrow({ where: { patient: { patientId: 'MRN-4471203' } } });
    await host.goto(`${harness.server.url}/?mrn=4471203`);
    await host.locator(`tr[data-href="/studies/${uploaded.studyInstanceUid}"]`).waitFor({ timeout: 20_000 });
    assert.equal(await host.locator('tbody tr').count(), 1, 'only MRN-4471203');
    await host.goto(`${harness.server.url}/?mrn=0000000`);
    const hint = (await host.getByTestId('empty-hint').textContent()) ?? '';
    assert.match(hint, /\*/);
    assert.match(hint, /part of a number/);
  });

  it('changes one’s own password from the account page; other browsers are signed out, this one stays', async () => {
    const other = await harness.openPage('colleague', '/');
    const page = await harness.openPage('colleague', '/account/security');
    await page.getByRole('link', { name: 'Change your password' }).click();
    await page.waitForURL(/\/account\/password$/);
    await page.getByLabel('Current password').fill(CONSULT_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('password1234');
    await page.getByLabel('New password again').fill('password1234');
    await page.getByRole('button', { name: 'Change password' }).click();
    // Next's route announcer is a role=alert too: the error is the one in the form
    await page.locator('form').getByRole('alert').filter({ hasText: /\w/ }).first().waitFor();
    await page.getByLabel('Current password').fill(CONSULT_PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').filter({ hasText: /Your password has been changed\. 1 other session was signed out\./ }).waitFor({ timeout: 20_000 });
    const audit = await harness.server.node.db.auditEvent.findFirst({ where: { action: 'auth.password.change', outcome: 'SUCCESS', actorUserId: harness.users.colleague.id } });
    assert.ok(audit);
    await other.reload();
    assert.match(other.url(), /\/sign-in/, 'the other browser is signed out');
    await page.reload();
    assert.match(page.url(), /\/account\/password$/, 'this browser stays signed in');
  });
});
