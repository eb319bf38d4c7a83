// The pages of telediagnostics between nodes (issue 19) in real Chromium, against two whole
// Telepacs processes on loopback (district A on SQLite, university B on PostgreSQL), each with
// its portal, archive and database, talking only through their HTTP APIs. The node
// administrators pair them through the "Other nodes" pages: A's makes a code (copied with the
// Copy button), B's pastes it; each page shows the other node's fingerprint, equal to what
// that node shows as its own. A pasted non-code, a code naming another key and a used code
// are refused with the server's words. A's clinician (A's first-run admin) sends a study from
// its page: refused first with the consent alert (no consent), then, with the patient's
// consent recorded, the progress reaches "Done" with "N/N at … (University hospital B)"; B's
// copy of the study shows it arrived. Suspend is seen on both sides, resume lifts it; a key
// rotation reaches B's page; unpair asks first. No page trips the content security policy.
// Screenshots for the README (docs/images/federation-*.png): the pairing code, the pair
// form after pairing, the peer list, the study page's "Send to another node" with progress.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { NODE_ADMIN_EMAIL, NODE_ADMIN_PASSWORD, startNodeProcess, type NodeProcess } from '../support/node-process';
import { until } from '../support/poll';
import { stowInto } from '../support/federation-nodes';
import { DESKTOP, overflowingElements, PHONE } from '../support/screens';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const README_IMAGES = path.resolve('docs/images');
const WAIT_MS = 60_000;

/** A README screenshot of one part of a page, with a margin of the page around it */
async function shot(page: Page, locator: Locator, name: string): Promise<void> {
  // Where it is on the whole page (fullPage's clip counts from the page's top, not the scrolled screen)
  const box = await locator.evaluate((element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left + window.scrollX, y: rect.top + window.scrollY, width: rect.width, height: rect.height };
  });
  const margin = 16;
  await page.screenshot({ path: path.join(README_IMAGES, name), fullPage: true, clip: { x: Math.max(0, box.x - margin), y: Math.max(0, box.y - margin), width: box.width + 2 * margin, height: box.height + 2 * margin } });
}

const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, ' ').trim();

describe('pairing two nodes and sending a study, through the pages', { skip, timeout: 20 * 60_000 }, () => {
  let a: NodeProcess;
  let b: NodeProcess;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** What the portal's CSP blocked on any page of the test (nothing, for pages that work) */
  const blocked: string[] = [];
  let adminA: Page;
  let adminB: Page;
  let code = '';
  const study = makeStudy({ series: 2, instancesPerSeries: 12, patientId: 'A-FED-1', patientName: 'Sender^Sara', modality: 'CT', studyDescription: 'CT chest', rows: 128, columns: 128, seed: 'federation-pages' });

  /** A tab of `node`'s first-run administrator (node administrator, ADMIN of its facility), in its own browser context (cookies are per host, not per port) */
  async function adminTab(node: NodeProcess, urlPath: string): Promise<Page> {
    const context = await browser.newContext({ viewport: DESKTOP });
    contexts.push(context);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: node.url });
    const cookie = await node.signIn(NODE_ADMIN_EMAIL, NODE_ADMIN_PASSWORD);
    const split = cookie.indexOf('=');
    await context.addCookies([{ name: cookie.slice(0, split), value: cookie.slice(split + 1), url: node.url }]);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(`${node.name}: ${message.text()}`);
    });
    // Confirmations (unpair, rotate) are accepted: the test checks they were asked
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(`${node.url}${urlPath}`);
    return page;
  }

  /** The peer row of the node named `name` on an "Other nodes" page */
  const peerRow = (page: Page, name: string) => page.locator(`tr[data-peer="${name}"]`);

  before(async () => {
    mkdirSync(README_IMAGES, { recursive: true });
    // A first: it builds the portal if this checkout has no current build; then B
    a = await startNodeProcess({ name: 'District hospital A', database: 'sqlite' });
    b = await startNodeProcess({ name: 'University hospital B', database: 'postgres' });
    browser = await launchChromium();
    await stowInto(a, study);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('shows no "Send to another node" before any pairing', async () => {
    const page = await adminTab(a, `/studies/${study.studyInstanceUid}`);
    await page.getByRole('heading', { name: 'CT chest' }).waitFor();
    assert.equal(await page.getByTestId('send-to-node').count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Send to another node' }).count(), 0);
  });

  it('A’s administrator makes a code: copied with the button, its expiry and A’s fingerprint beside it', async () => {
    adminA = await adminTab(a, '/admin/node');
    await adminA.getByRole('navigation', { name: 'Node administration' }).getByRole('link', { name: 'Other nodes' }).click();
    await adminA.waitForURL(/\/admin\/node\/federation$/);
    assert.equal(await text(adminA.getByTestId('node-name')), 'District hospital A');
    assert.equal(await text(adminA.getByTestId('node-url')), a.url);
    const own = await text(adminA.getByTestId('own-fingerprint'));
    assert.match(own, /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    await adminA.getByText('No paired node yet.').waitFor();

    await adminA.getByRole('button', { name: 'Make a pairing code' }).click();
    code = await text(adminA.getByTestId('pairing-code'));
    assert.match(code, /^TPN1\.[A-Za-z0-9_-]+$/);
    assert.equal(await text(adminA.getByTestId('code-fingerprint')), own, 'the fingerprint to read is this node’s');
    assert.match(await text(adminA.getByTestId('pairing-code-panel')), /valid until \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC, once/);
    await adminA.getByRole('button', { name: 'Copy' }).click();
    await adminA.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await adminA.evaluate(() => navigator.clipboard.readText()), code, 'the Copy button copies the whole code');
    assert.deepEqual(await overflowingElements(adminA), [], 'the page fits the screen, code included');
    await adminA.screenshot({ path: path.join(README_IMAGES, 'federation-pairing-code.png'), fullPage: true });
  });

  it('B’s administrator pastes it: a non-code and a code naming another key are refused with the reason; the code pairs, and each side shows the other’s fingerprint as it shows its own', async () => {
    adminB = await adminTab(b, '/admin/node/federation');
    const ownB = await text(adminB.getByTestId('own-fingerprint'));
    const field = adminB.getByLabel('Pairing code');
    const pair = adminB.getByRole('button', { name: 'Pair', exact: true });

    // Not a code: said at the field (400 fields.code)
    await field.fill('hello, here is the code');
    await pair.click();
    await adminB.getByText('This is not a Telepacs pairing code (it starts with TPN1.).').waitFor();
    assert.equal(await field.getAttribute('aria-invalid'), 'true');

    // A code whose fingerprint is not the key of the node at its address (409): the server's words
    const content = JSON.parse(Buffer.from(code.slice(5), 'base64url').toString()) as { f: string };
    const forged = `TPN1.${Buffer.from(JSON.stringify({ ...content, f: content.f.replace(/^./, content.f[0] === 'A' ? 'B' : 'A') })).toString('base64url')}`;
    await field.fill(forged);
    await pair.click();
    await adminB.getByRole('alert').filter({ hasText: /is not the node the code was made on .*Nothing was paired\./ }).waitFor();
    assert.equal(await adminB.getByText('This is not a Telepacs pairing code').count(), 0, 'the field’s earlier message is gone');

    await field.fill(code);
    await pair.click();
    const paired = adminB.getByTestId('paired');
    await paired.waitFor();
    assert.match(await text(paired), /^Paired with District hospital A/);
    const ownA = await text(adminA.getByTestId('own-fingerprint'));
    assert.equal(await text(adminB.getByTestId('paired-fingerprint')), ownA, 'B shows A’s fingerprint as A shows it');
    assert.equal(await field.inputValue(), '', 'the field is emptied');
    // The list follows without a reload
    await peerRow(adminB, 'District hospital A').waitFor();
    assert.equal(await text(peerRow(adminB, 'District hospital A').getByTestId('peer-fingerprint')), ownA);
    await shot(adminB, adminB.getByTestId('pair-node-form'), 'federation-pair-form.png');

    // The code again: A refuses it (used once), B says so (502)
    await field.fill(code);
    await pair.click();
    await adminB.getByRole('alert').filter({ hasText: /refused the code \(used, expired or unknown: ask for a new one\)/ }).waitFor();

    // A's page lists B with B's own fingerprint, active, and B's facilities once they arrived
    const row = peerRow(adminA, 'University hospital B');
    await until('B’s facilities on A’s page', async () => {
      await adminA.reload();
      return (await row.count()) && /Demo/.test(await text(row.getByTestId('peer-facilities')));
    });
    assert.equal(await text(row.getByTestId('peer-fingerprint')), ownB, 'A shows B’s fingerprint as B shows it');
    assert.match(await text(row.getByTestId('peer-status')), /^Active since/);
    assert.equal(await text(adminA.getByRole('heading', { name: /^Paired nodes/ })), 'Paired nodes (1)');
  });

  it('suspend is seen on both sides and only this node may resume its own; resume lifts it', async () => {
    const atA = peerRow(adminA, 'University hospital B');
    await atA.getByRole('button', { name: 'Suspend' }).click();
    await atA.getByTestId('peer-status').filter({ hasText: /^Suspended by this node/ }).waitFor();
    assert.equal(await atA.getByRole('button', { name: 'Suspend' }).count(), 0);
    const atB = peerRow(adminB, 'District hospital A');
    await until('B to hear of the suspension', async () => {
      await adminB.reload();
      return /^Suspended by District hospital A/.test(await text(atB.getByTestId('peer-status')));
    });
    assert.equal(await atB.getByRole('button', { name: 'Resume' }).count(), 0, 'B cannot lift A’s suspension');
    assert.equal(await atB.getByRole('button', { name: 'Unpair' }).count(), 1);

    await atA.getByRole('button', { name: 'Resume' }).click();
    await atA.getByTestId('peer-status').filter({ hasText: /^Active/ }).waitFor();
    await until('B to hear of the resumption', async () => {
      await adminB.reload();
      return /^Active/.test(await text(atB.getByTestId('peer-status')));
    });
    await adminA.reload();
    await shot(adminA, adminA.locator('section[aria-labelledby="peers-heading"]'), 'federation-peers.png');
  });

  it('sends a study from its page: without consent the consent alert, with it the progress reaches done; B’s copy says where it came from', async () => {
    const page = await adminTab(a, `/studies/${study.studyInstanceUid}`);
    const section = page.getByTestId('send-to-node');
    await section.waitFor();
    await page.getByRole('link', { name: 'Send to another node' }).click();
    const choice = section.getByLabel('Facility');
    const options = await choice.locator('option').allTextContents();
    assert.deepEqual(options, ['Choose a facility…', 'Demo Hospital — University hospital B']);
    assert.equal(await section.getByRole('checkbox').count(), 2, 'one box per series');

    // Nothing chosen: said at the field, nothing sent
    await section.getByRole('button', { name: 'Send' }).click();
    await section.getByText('Choose the facility to send to.').waitFor();
    await choice.selectOption({ label: 'Demo Hospital — University hospital B' });

    // No consent yet: the consent alert of the other share forms, not a generic error; nothing leaves
    await section.getByRole('button', { name: 'Send' }).click();
    const alert = section.getByTestId('consent-required');
    await alert.waitFor();
    const record = alert.getByRole('link', { name: 'Record consent now' });
    const href = (await record.getAttribute('href')) ?? '';
    assert.match(href, /\/consent\/new\?/);
    assert.match(decodeURIComponent(href), new RegExp(`returnTo=/studies/${study.studyInstanceUid.replace(/\./g, '\\.')}\\?sendTo=`), 'back to this study, the facility still chosen');
    assert.equal(await section.getByTestId('node-transfer').count(), 0);
    assert.equal(await a.db.federatedTransfer.count(), 0);

    // The link opens the signing screen with that facility preselected, named with its node
    const signing = await page.context().newPage();
    await signing.goto(new URL(href, a.url).toString());
    const recipient = signing.getByRole('combobox', { name: 'Facility' });
    await recipient.waitFor();
    assert.equal(await recipient.locator('option:checked').innerText(), 'Demo Hospital (University hospital B)');
    await signing.close();

    // The patient's consent (through the API), then back where the alert's link returns
    const destinationId = new URL(href, a.url).searchParams.get('recipientId') ?? '';
    const patientRef = decodeURIComponent(new URL(href, a.url).pathname.split('/')[2]);
    const consent = await a.api('POST', `/api/patients/${patientRef}/consents`, {
      decision: 'PERMIT',
      recipient: { kind: 'FACILITY', facilityId: destinationId },
      purposes: ['TRANSFER'],
      data: { scope: 'ALL' },
      evidence: { kind: 'VERBAL', witnessName: 'Nurse Wanda Witness', note: 'Agreed to sending the images to the university hospital.' },
    });
    assert.equal(consent.status, 201, await consent.text());
    await page.goto(`${a.url}/studies/${study.studyInstanceUid}?sendTo=${encodeURIComponent(destinationId)}#send-to-node`);
    assert.equal(await section.getByLabel('Facility').inputValue(), destinationId, 'the facility is still chosen');

    await section.getByRole('button', { name: 'Send' }).click();
    const transfer = section.getByTestId('node-transfer').first();
    await transfer.waitFor();
    assert.equal(await section.getByTestId('consent-required').count(), 0);
    // Refreshed every 2 s until done, without a reload
    await section.locator('[data-testid="node-transfer"][data-status="DONE"]').waitFor({ timeout: WAIT_MS });
    assert.match(await text(transfer.getByTestId('node-transfer-progress')), /^24\/24 at Demo Hospital \(University hospital B\) · asked by admin@node\.test$/);
    assert.equal(await text(transfer.getByTestId('node-transfer-status')), 'Done');
    assert.equal(await transfer.locator('progress').getAttribute('value'), '24');
    assert.equal(await transfer.getByTestId('node-transfer-error').count(), 0);
    assert.deepEqual(await overflowingElements(page), []);
    await shot(page, section, 'federation-send.png');

    // At B: the study arrived, and its page says from where
    const atB = await adminTab(b, `/studies/${study.studyInstanceUid}`);
    const incoming = atB.getByTestId('node-transfer');
    await incoming.waitFor();
    assert.match(await text(incoming), /^From Demo Hospital \(District hospital A\) Done 24\/24 from Demo Hospital \(District hospital A\)/);
    assert.equal(await atB.getByTestId('send-to-node').getByLabel('Facility').count() > 0, true, 'B may send back: A is a destination of B');
  });

  it('rotates A’s key after a confirmation: the new fingerprint, B told, and B’s page shows it', async () => {
    const previous = await text(adminA.getByTestId('own-fingerprint'));
    const asked: string[] = [];
    adminA.once('dialog', (dialog) => asked.push(dialog.message()));
    await adminA.getByRole('button', { name: 'Rotate this node’s key' }).click();
    const rotated = adminA.getByTestId('rotated-fingerprint');
    await rotated.waitFor();
    assert.match(asked[0] ?? '', /new key/);
    const renewed = await text(rotated);
    assert.notEqual(renewed, previous);
    assert.match(await text(adminA.getByTestId('rotate-key')), /1 paired node is being told the new key/);
    await adminA.getByTestId('own-fingerprint').filter({ hasText: renewed }).waitFor();
    await until('B to show A’s new fingerprint', async () => {
      await adminB.reload();
      return (await text(peerRow(adminB, 'District hospital A').getByTestId('peer-fingerprint'))) === renewed;
    });
  });

  it('unpairs after asking; both pages say so and A no longer offers B as a destination', async () => {
    const asked: string[] = [];
    adminA.once('dialog', (dialog) => asked.push(dialog.message()));
    const row = peerRow(adminA, 'University hospital B');
    await row.getByRole('button', { name: 'Unpair' }).click();
    await row.getByTestId('peer-status').filter({ hasText: /^Unpaired by this node/ }).waitFor();
    assert.match(asked[0] ?? '', /^Unpair University hospital B\?/);
    assert.equal(await row.getByRole('button').count(), 0);
    assert.equal(await text(adminA.getByRole('heading', { name: /^Paired nodes/ })), 'Paired nodes (0)');
    await until('B to hear of the unpairing', async () => {
      await adminB.reload();
      return /^Unpaired by District hospital A/.test(await text(peerRow(adminB, 'District hospital A').getByTestId('peer-status')));
    });
    const page = await adminTab(a, `/studies/${study.studyInstanceUid}`);
    const section = page.getByTestId('send-to-node');
    await section.getByTestId('node-transfer').waitFor();
    assert.equal(await section.getByLabel('Facility').count(), 0, 'no send control, the past transfer still listed');
  });

  it('the Other nodes page and the study page’s transfers fit a phone held upright', async () => {
    await adminA.setViewportSize(PHONE);
    await adminA.reload();
    await adminA.getByRole('button', { name: 'Make a pairing code' }).click();
    await adminA.getByTestId('pairing-code').waitFor();
    assert.deepEqual(await overflowingElements(adminA), [], 'Other nodes, with a code shown');
    const page = await adminTab(a, `/studies/${study.studyInstanceUid}`);
    await page.setViewportSize(PHONE);
    await page.getByTestId('node-transfer').waitFor();
    assert.deepEqual(await overflowingElements(page), [], 'the study page with its transfer');
  });

  it('no page tripped the content security policy', () => {
    assert.deepEqual(blocked, []);
  });
});
