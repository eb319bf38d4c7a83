// Administration in a real Chromium against a real node with the built
// portal: an admin invites a colleague, the colleague accepts the one-time
// link and lands signed in; the admin registers a DICOM peer (DCMTK storescp)
// and tests it with C-ECHO; the pages at tablet width. Screenshots go to
// test-output/e2e/admin-*.png for a person to look at.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { hasDcmtk, startStorescp } from '../support/dcmtk';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';
import { launchChromium } from '../support/browser';

const SCREENSHOTS = path.resolve('test-output/e2e');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `admin-${name}.png`), fullPage: true });

describe('administration in the browser', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  async function signedInAdminPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${server.url}/sign-in?next=%2Fadmin`);
    await page.getByLabel('Email').fill(TEST_ADMIN_EMAIL);
    await page.getByLabel('Password').fill(TEST_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${server.url}/admin/${server.node.firstRun.facilityId}`);
    return page;
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true, env: { DICOM_PEERS: 'CT_SCANNER@10.0.0.5:104' } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('invites a colleague with a one-time link, who sets a name and password and lands signed in', async () => {
    const admin = await signedInAdminPage();
    await admin.getByRole('heading', { name: /Demo Hospital/ }).waitFor();
    await shot(admin, 'users');

    // Invalid form: each field says what is wrong, nothing is created.
    await admin.getByLabel('Email').fill('not-an-email');
    await admin.getByRole('button', { name: 'Create invitation link' }).click();
    await admin.getByText('Enter a valid email address').waitFor();
    await shot(admin, 'invite-error');
    assert.equal(await server.node.db.accountLink.count(), 0);

    await admin.getByLabel('Email').fill('dr.rivera@demo.example');
    await admin.getByLabel('Role', { exact: true }).selectOption('EXPERT');
    await admin.getByRole('button', { name: 'Create invitation link' }).click();
    const secret = admin.getByTestId('one-time-secret');
    await secret.waitFor();
    const link = (await secret.textContent()) ?? '';
    assert.match(link, new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`));
    await admin.getByRole('heading', { name: 'Invitations waiting' }).waitFor();
    await admin.getByRole('cell', { name: 'dr.rivera@demo.example' }).waitFor();
    await shot(admin, 'invite-link');

    const invitee = await (await browser.newContext({ viewport: { width: 820, height: 1180 } })).newPage();
    await invitee.goto(link);
    await invitee.getByText('You are invited to Demo Hospital as Expert').waitFor();
    await shot(invitee, 'accept');
    await invitee.getByLabel('Your name').fill('Dr Ana Rivera');
    await invitee.getByLabel('Password', { exact: true }).fill('rivera passphrase 1');
    await invitee.getByLabel('Repeat the password').fill('something else');
    await invitee.getByRole('button', { name: 'Create my account' }).click();
    await invitee.getByText('The two passwords are not the same').waitFor();
    await shot(invitee, 'accept-mismatch');
    await invitee.getByLabel('Repeat the password').fill('rivera passphrase 1');
    await invitee.getByRole('button', { name: 'Create my account' }).click();
    await invitee.waitForURL(`${server.url}/`);
    await invitee.getByRole('banner').getByText('dr.rivera@demo.example').waitFor();
    await shot(invitee, 'accepted-home');

    // An expert is no administrator: the facility's admin pages do not exist for them.
    await invitee.goto(`${server.url}/admin/${server.node.firstRun.facilityId}`);
    await invitee.getByRole('heading', { name: 'Page not found' }).waitFor();
    await shot(invitee, 'not-found');

    // The link worked once.
    await invitee.goto(link);
    await invitee.getByText('This link has already been used').waitFor();
    await shot(invitee, 'link-used');

    await admin.reload();
    const row = admin.locator('tr[data-email="dr.rivera@demo.example"]');
    await row.getByText('Active').waitFor();
    assert.equal(await row.getByLabel('Role of Dr Ana Rivera').inputValue(), 'EXPERT');
    await admin.getByText('No invitation is waiting to be accepted.').waitFor();

    // A role change is applied with its own button (not on every arrow key).
    await row.getByLabel('Role of Dr Ana Rivera').selectOption('REFERRING');
    await row.getByRole('button', { name: 'Save role' }).click();
    await row.getByRole('button', { name: 'Save role' }).waitFor({ state: 'detached' });
    const roles = await server.node.db.membership.findMany({ where: { user: { email: 'dr.rivera@demo.example' } }, select: { role: true } });
    assert.deepEqual(roles.map((membership) => membership.role), ['REFERRING']);

    // Disable, confirmed in a dialog: the colleague is signed out at once.
    admin.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    await shot(admin, 'user-disabled');
    await invitee.goto(`${server.url}/`);
    await invitee.waitForURL(/\/sign-in\?next=/);
    await admin.context().close();
    await invitee.context().close();
  });

  it('registers a DICOM peer and tests it with a real C-ECHO; configuration peers are read-only', { skip: hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK' }, async () => {
    const scp = await startStorescp({ aet: 'WARD_PACS' });
    try {
      const admin = await signedInAdminPage();
      await admin.getByRole('link', { name: 'DICOM peers' }).click();
      await admin.getByRole('heading', { name: 'Register a peer' }).waitFor();
      const configured = admin.locator('tr[data-aet="CT_SCANNER"]');
      await configured.getByText('from configuration').waitFor();
      assert.equal(await configured.getByRole('button', { name: 'Edit' }).count(), 0);

      await admin.getByLabel('AE title').fill('WARD_PACS');
      await admin.getByLabel('Host').fill('127.0.0.1');
      await admin.getByLabel('Port').fill('99999');
      await admin.getByRole('button', { name: 'Register peer' }).click();
      await admin.getByText('The port is between 1 and 65535').waitFor();
      await admin.getByLabel('Port').fill(String(scp.port));
      await admin.getByLabel('Description (optional)').fill('Ward archive (storescp)');
      await admin.getByRole('button', { name: 'Register peer' }).click();
      const row = admin.locator('tr[data-aet="WARD_PACS"]');
      await row.waitFor();
      await row.getByRole('button', { name: 'C-ECHO' }).click();
      await admin.getByTestId('echo-WARD_PACS').getByText(/C-ECHO succeeded in \d+ ms/).waitFor();
      await configured.getByRole('button', { name: 'C-ECHO' }).click();
      await admin.getByTestId('echo-CT_SCANNER').getByText('No DICOM answer from this peer').waitFor({ timeout: 20_000 });
      await shot(admin, 'peers-echo');
      await admin.context().close();
    } finally {
      await scp.stop();
    }
  });

  it('fits a tablet: users, storage and API tokens at 768 px', async () => {
    const admin = await signedInAdminPage({ width: 768, height: 1024 });
    await shot(admin, 'users-tablet');
    const overflow = await admin.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the users page scrolls sideways by ${overflow}px at 768 px`);
    await admin.getByRole('link', { name: 'Storage' }).click();
    await admin.getByText('No images stored for Demo Hospital yet.').waitFor();
    await shot(admin, 'storage-tablet');
    await admin.getByRole('link', { name: 'Your API tokens' }).click();
    await admin.getByText('You have no API tokens.').waitFor();
    await admin.getByLabel('Name').fill('Nightly export');
    await admin.getByLabel('Expires after (days)').fill('30');
    await admin.getByRole('button', { name: 'Create token' }).click();
    await admin.getByTestId('one-time-secret').getByText(/^tp_[0-9a-f]{12}_/).waitFor();
    await admin.getByRole('cell', { name: 'Nightly export' }).waitFor();
    await shot(admin, 'tokens-tablet');
    await admin.context().close();
  });
});
