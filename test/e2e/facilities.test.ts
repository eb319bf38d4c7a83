// Issue 13 part 1 in a real Chromium against a real node with the built
// portal: the node administrator creates a facility and a service in it,
// invites a colleague, who accepts, signs in and sees only that facility
// (its studies only; the demo facility's administration is "not found"); the
// service's turnaround is set (issue 15), its emergency transfer settings and a member's on-call status (issue 17);
// the node pages at phone width. Screenshots: test-output/e2e/facilities-*.png.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { createUser } from '../../lib/policy/test-fixtures';
import { launchChromium } from '../support/browser';
import { basicAuthHeader } from '../support/dicomweb-client';
import { makeStudy } from '../support/fixtures';
import { stowBody } from '../support/stow';
import { startTestServer, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, type TestServer } from '../support/test-server';

const SCREENSHOTS = path.resolve('test-output/e2e');
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `facilities-${name}.png`), fullPage: true });

describe('facilities in the browser', { timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  async function stow(files: Buffer[], authorization: string): Promise<void> {
    const { body, contentType } = stowBody(files);
    const response = await fetch(`${server.dicomwebUrl}/studies`, { method: 'POST', headers: { 'content-type': contentType, authorization }, body: new Uint8Array(body) });
    assert.equal(response.status, 200);
  }
  async function signIn(email: string, password: string, next: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(`${server.url}/sign-in?next=${encodeURIComponent(next)}`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    return page;
  }
  async function noSidewaysScroll(page: Page, what: string): Promise<void> {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${what} scrolls sideways by ${overflow}px`);
  }

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
    await stow(makeStudy({ patientId: 'DEMO-1', patientName: 'Demo^Dora', series: 1, instancesPerSeries: 1, seed: 'e2e-facilities-demo' }), server.adminAuthorization);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a node admin creates a facility and a service, invites a colleague, who then sees only that facility', async () => {
    const admin = await signIn(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, '/admin');
    await admin.waitForURL(`${server.url}/admin/${server.node.firstRun.facilityId}`);
    await admin.getByRole('link', { name: 'Node administration' }).click();
    await admin.getByRole('heading', { name: 'Create a facility' }).waitFor();

    // A wrong form: each field says what is wrong, nothing is created
    await admin.getByLabel('Name').fill('Valley Clinic');
    await admin.getByLabel('Code').fill('v');
    await admin.getByRole('button', { name: 'Create facility' }).click();
    await admin.getByText('Code: 2 to 16 characters').waitFor();
    await shot(admin, 'create-error');
    await admin.getByLabel('Code').fill('valley');
    await admin.getByLabel('Phone').fill('+41 21 555 00 00');
    await admin.getByRole('button', { name: 'Create facility' }).click();
    await admin.getByRole('heading', { name: /Valley Clinic/ }).waitFor();
    await admin.getByText('This facility has no users yet').waitFor();
    const valley = await server.node.db.facility.findUniqueOrThrow({ where: { code: 'VALLEY' } });
    assert.equal(admin.url(), `${server.url}/admin/node/${valley.id}`);

    await admin.getByRole('link', { name: 'Services (0)' }).click();
    // The facility page has a Name field too: fill the services page's, once it is there
    await admin.waitForURL(`${server.url}/admin/${valley.id}/services`);
    await admin.getByRole('heading', { name: 'Create a service' }).waitFor();
    await admin.getByLabel('Name').fill('Stroke unit');
    await admin.getByLabel('Code (optional)').fill('stroke');
    await admin.getByRole('button', { name: 'Create service' }).click();
    await admin.getByRole('heading', { name: /Stroke unit/ }).waitFor();
    await admin.getByText('No members yet.').waitFor();

    await admin.goto(`${server.url}/admin/node/${valley.id}`);
    await admin.getByLabel('Email').fill('dr.vera@valley.example');
    await admin.getByLabel('Role', { exact: true }).selectOption('REFERRING');
    await admin.getByRole('button', { name: 'Create invitation link' }).click();
    const link = (await admin.getByTestId('one-time-secret').textContent()) ?? '';
    assert.match(link, new RegExp(`^${server.url}/invite/[A-Za-z0-9_-]{43}$`));
    await shot(admin, 'facility');

    const invitee = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await invitee.goto(link);
    await invitee.getByText('You are invited to Valley Clinic as Referring').waitFor();
    await invitee.getByLabel('Your name').fill('Dr Vera Valley');
    await invitee.getByLabel('Password', { exact: true }).fill('vera passphrase 2026');
    await invitee.getByLabel('Repeat the password').fill('vera passphrase 2026');
    await invitee.getByRole('button', { name: 'Create my account' }).click();
    await invitee.waitForURL(`${server.url}/`);
    await invitee.context().close();

    // A study of their facility arrives (their own upload lands in it)
    await stow(makeStudy({ patientId: 'VALLEY-1', patientName: 'Valley^Vince', series: 1, instancesPerSeries: 1, seed: 'e2e-facilities-valley' }), basicAuthHeader('dr.vera@valley.example', 'vera passphrase 2026'));

    // The node admin puts the colleague into the service
    await admin.goto(`${server.url}/admin/${valley.id}/services`);
    await admin.getByLabel('Member of the facility').selectOption({ label: 'Dr Vera Valley (dr.vera@valley.example)' });
    await admin.getByRole('button', { name: 'Add to service' }).click();
    await admin.getByText('Dr Vera Valley (dr.vera@valley.example)').first().waitFor();
    await admin.getByRole('button', { name: 'Remove' }).waitFor();
    await shot(admin, 'services');

    // The service's second-opinion turnaround: a wrong value is refused beside its field; urgent 2 hours is then listed
    await admin.getByText('Turnaround: stat 1 h · urgent 6 h · routine 3 d').waitFor();
    await admin.getByText('Change turnaround').click();
    const urgent = admin.getByLabel('Urgent', { exact: true });
    assert.equal(await urgent.inputValue(), '6', 'urgent is offered in hours');
    await urgent.fill('30');
    await admin.getByLabel('Urgent unit').selectOption({ label: 'minutes' });
    await admin.getByRole('button', { name: 'Save turnaround' }).click();
    await admin.getByText('Urgent: not shorter than stat (1 h)').waitFor();
    assert.equal(await urgent.getAttribute('aria-invalid'), 'true');
    await urgent.fill('2');
    await admin.getByLabel('Urgent unit').selectOption({ label: 'hours' });
    await admin.getByRole('button', { name: 'Save turnaround' }).click();
    await admin.getByText('Turnaround: stat 1 h · urgent 2 h · routine 3 d').waitFor();
    assert.equal((await server.node.db.service.findFirstOrThrow({ where: { facilityId: valley.id, name: 'Stroke unit' } })).turnaroundUrgentMinutes, 120);
    await shot(admin, 'services-turnaround');

    // Emergency transfers (issue 17): escalation minutes and image access hours, refused beside the field, then listed; a member put on call
    await admin.getByText('Emergency transfers: unacknowledged alarm escalates after 2 min · images readable 24 h after arrival').waitFor();
    await admin.getByText('Change emergency transfer settings').click();
    const escalateAfter = admin.getByLabel('Escalate after (minutes)');
    await escalateAfter.fill('90');
    await admin.getByRole('button', { name: 'Save emergency transfer settings' }).click();
    await admin.getByText('Escalate after: between 1 and 60 minutes').waitFor();
    assert.equal(await escalateAfter.getAttribute('aria-invalid'), 'true');
    await escalateAfter.fill('5');
    await admin.getByLabel('Images readable for (hours)').fill('48');
    await admin.getByRole('button', { name: 'Save emergency transfer settings' }).click();
    await admin.getByText('Emergency transfers: unacknowledged alarm escalates after 5 min · images readable 48 h after arrival').waitFor();
    await admin.getByRole('button', { name: 'Put on call' }).click();
    await admin.getByRole('button', { name: 'Take off call' }).waitFor();
    await admin.getByText('· on call').waitFor();
    const strokeUnit = await server.node.db.service.findFirstOrThrow({ where: { facilityId: valley.id, name: 'Stroke unit' }, include: { members: true } });
    assert.deepEqual([strokeUnit.transferEscalationMinutes, strokeUnit.transferAccessHours, strokeUnit.members.map((member) => member.onCall)], [5, 48, [true]]);
    await shot(admin, 'services-transfer-settings');

    const colleague = await signIn('dr.vera@valley.example', 'vera passphrase 2026', '/');
    await colleague.waitForURL(`${server.url}/`);
    const banner = colleague.getByRole('banner');
    await banner.getByText('Valley Clinic').waitFor();
    assert.equal(await banner.getByRole('link', { name: 'Administration' }).count(), 0);
    await colleague.locator('main').getByText('Valley, Vince').first().waitFor();
    const worklist = (await colleague.locator('main').textContent()) ?? '';
    assert.match(worklist, /1 study/);
    assert.doesNotMatch(worklist, /Dora/i, "the demo facility's study is not theirs");
    await shot(colleague, 'colleague-worklist');

    await colleague.goto(`${server.url}/admin/${server.node.firstRun.facilityId}`);
    await colleague.getByRole('heading', { name: 'Page not found' }).waitFor();
    await colleague.goto(`${server.url}/admin/node`);
    await colleague.getByRole('heading', { name: 'Page not found' }).waitFor();
    await colleague.context().close();
    await admin.context().close();
  });

  it('a person of two facilities switches the facility they act for in the header; uploads then go there', async () => {
    const valley = await server.node.db.facility.findUniqueOrThrow({ where: { code: 'VALLEY' } });
    await createUser(server.node.db, {
      email: 'both@region.example',
      passwordHash: await hashPassword('both passphrase 2026'),
      memberships: [
        { facilityId: server.node.firstRun.facilityId, role: 'EXPERT' },
        { facilityId: valley.id, role: 'REFERRING' },
      ],
    });
    const both = await signIn('both@region.example', 'both passphrase 2026', '/upload', { width: 390, height: 844 });
    await both.getByText('Images are stored in the archive of Demo Hospital').waitFor();
    const switcher = both.getByRole('banner').getByLabel('Acting for');
    assert.equal(await switcher.inputValue(), server.node.firstRun.facilityId, 'the first membership by default');
    await switcher.selectOption({ label: 'Valley Clinic' });
    await both.getByText('Images are stored in the archive of Valley Clinic').waitFor();
    await noSidewaysScroll(both, 'the upload page with the switcher');
    await shot(both, 'switcher-phone');
    await both.reload();
    assert.equal(await both.getByRole('banner').getByLabel('Acting for').inputValue(), valley.id, 'kept on the session');
    await both.context().close();
  });

  it('fits a phone: the node and services pages at 390 px', async () => {
    const admin = await signIn(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD, '/admin/node', { width: 390, height: 844 });
    await admin.getByRole('heading', { name: 'Node administration' }).waitFor();
    await noSidewaysScroll(admin, 'the node page');
    await shot(admin, 'node-phone');
    const valley = await server.node.db.facility.findUniqueOrThrow({ where: { code: 'VALLEY' } });
    await admin.goto(`${server.url}/admin/node/${valley.id}`);
    await admin.getByRole('heading', { name: 'Details' }).waitFor();
    await noSidewaysScroll(admin, 'the facility page');
    await shot(admin, 'facility-phone');
    await admin.goto(`${server.url}/admin/${valley.id}/services`);
    await admin.getByRole('heading', { name: /Stroke unit/ }).waitFor();
    await admin.getByText('Change turnaround').click();
    await admin.getByRole('button', { name: 'Save turnaround' }).waitFor();
    await noSidewaysScroll(admin, 'the services page');
    await shot(admin, 'services-phone');
    await admin.context().close();
  });
});
