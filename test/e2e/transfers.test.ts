// An emergency transfer notice in real Chromium against a real portal, archive and
// database (issue 17). A district clinic's emergency doctor, on a phone (390×844, touch),
// sends from the study page's form: field errors first, then vitals outside the range
// asked again ("Values are right — send"). The regional hospital's stroke unit member,
// on the worklist, gets the red alarm banner within 2 s of the tap, with its sound
// playing; a colleague of the same service hears it too, and when the first acknowledges
// from the banner the colleague's alarm stops without a reload, and the phone shows
// "Acknowledged by …" live; new vitals and ETA sent from the phone reach the board. The stroke unit redirects the notice to the Neuro ICU: its
// member (a third browser) gets the alarm, the stroke unit's does not ring again; the
// Neuro ICU records the arrival and the phone shows "Arrived". A member of another
// service hears nothing and gets "not found" for the notice's page and API. An unidentified
// patient's notice (double-tapped: one notice) shows its temporary ID big. No page of the
// test trips the content security policy.
// Screenshots for the README: docs/images/transfer-phone.png (the sender's notice on the
// phone) and docs/images/transfer-board.png (the board with the alarm banner).
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSession, hashPassword, SESSION_COOKIE_NAME } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { DESKTOP, overflowingElements, PHONE } from '../support/screens';
import { startTestServer, type TestServer } from '../support/test-server';

// A notice's page, not the form's own /transfers/new (which the phone is on when it taps Send)
const NOTICE_PAGE = /\/transfers\/(?!new(?:$|\?))[^/?]+$/;
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const README_IMAGES = path.resolve('docs/images');
const ALARM_WITHIN_MS = 2_000;

type Person = 'sender' | 'stroke' | 'colleague' | 'icu' | 'outsider';

describe('an emergency transfer notice, from the phone to the receiving team', { skip, timeout: 20 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const people: Record<Person, { id: string; name: string }> = {
    sender: { id: '', name: 'Dr Erik Emergency' },
    stroke: { id: '', name: 'Dr Rita Stroke' },
    colleague: { id: '', name: 'Dr Carl Stroke' },
    icu: { id: '', name: 'Dr Ines ICU' },
    outsider: { id: '', name: 'Dr Cora Cardio' },
  };
  const ct = makeStudy({ patientId: 'MRN-TX-1', patientName: 'Horvat^Ana', modality: 'CT', studyDescription: 'CT head non-contrast', series: 1, instancesPerSeries: 2, rows: 64, columns: 64, seed: 'transfer-e2e-ct' });
  let phone: Page;
  let stroke: Page;
  let colleague: Page;
  let icu: Page;
  let outsider: Page;
  let noticeId = '';
  /** What the portal's CSP blocked on any page of the test (nothing, for pages that work) */
  const blocked: string[] = [];

  async function open(person: Person, urlPath: string, device: 'phone' | 'desktop' = 'desktop'): Promise<Page> {
    const context = await browser.newContext(device === 'phone' ? { viewport: PHONE, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : { viewport: DESKTOP });
    contexts.push(context);
    const { token } = await createSession(server.node.db, { userId: people[person].id, ttlHours: 2 });
    await context.addCookies([{ name: SESSION_COOKIE_NAME, value: token, url: server.url }]);
    const page = await context.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) blocked.push(`${person}: ${message.text()}`);
    });
    await page.goto(`${server.url}${urlPath}`);
    return page;
  }
  /** The page's /realtime socket is connected and its alarm list was asked once */
  const ready = async (page: Page) => {
    await page.locator('html[data-referral-events="connected"]').waitFor({ timeout: 30_000 });
    await page.locator('html[data-transfer-alarms-loaded]').waitFor({ timeout: 30_000 });
  };
  const alarmOf = (page: Page) => page.getByTestId('transfer-alarm');
  const statusOf = (page: Page) => page.getByTestId('transfer-status');

  before(async () => {
    mkdirSync(README_IMAGES, { recursive: true });
    server = await startTestServer({ portal: true });
    // The alarm's sound without waiting for a gesture (the receiver also clicks the page first, as a person would)
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
    const db = server.node.db;
    const district = await createFacility(db, 'District clinic');
    const regional = await createFacility(db, 'Regional hospital');
    const passwordHash = await hashPassword('transfer e2e password');
    const person = async (key: Person, email: string, facilityId: string, role: 'EMERGENCY' | 'EXPERT') => {
      people[key].id = (await createUser(db, { email, name: people[key].name, passwordHash, memberships: [{ facilityId, role }] })).id;
    };
    await person('sender', 'erik@district.example', district.id, 'EMERGENCY');
    await person('stroke', 'rita@regional.example', regional.id, 'EXPERT');
    await person('colleague', 'carl@regional.example', regional.id, 'EXPERT');
    await person('icu', 'ines@regional.example', regional.id, 'EXPERT');
    await person('outsider', 'cora@regional.example', regional.id, 'EXPERT');
    const service = async (name: string, members: Person[]) => {
      const created = await db.service.create({ data: { facilityId: regional.id, name } });
      for (const member of members) await db.serviceMember.create({ data: { serviceId: created.id, userId: people[member].id } });
    };
    await service('Stroke unit', ['stroke', 'colleague']);
    await service('Neuro ICU', ['icu']);
    await service('Cardiology', ['outsider']);
    for (const file of ct) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, district.id);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await server?.stop();
  });

  it('the phone form: study preselected, field errors, unusual vitals asked again; the stroke unit rings within 2 s with sound', async () => {
    [stroke, colleague, outsider] = await Promise.all([open('stroke', '/'), open('colleague', '/'), open('outsider', '/')]);
    await Promise.all([ready(stroke), ready(colleague), ready(outsider)]);
    // A person uses the page before the alarm (browsers allow sound after a gesture)
    await stroke.mouse.click(5, 400);
    await colleague.mouse.click(5, 400);

    phone = await open('sender', `/studies/${ct.studyInstanceUid}`, 'phone');
    await phone.getByTestId('send-transfer').tap();
    await phone.waitForURL(/\/transfers\/new\?study=/);
    await phone.getByRole('heading', { name: 'Send transfer notice' }).waitFor();
    const study = phone.getByRole('checkbox', { name: /CT head non-contrast \(this study\)/ });
    assert.equal(await study.isChecked(), true, 'the study of the page is preselected');
    await phone.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="transfer-form"] button[type="submit"]')?.disabled);

    // Sent empty: each missing field says so beside itself, nothing is sent
    await phone.getByRole('button', { name: 'Send notice' }).tap();
    await phone.getByText('Choose the receiving service').waitFor();
    await phone.getByText('Choose the condition').waitFor();
    await phone.getByText('Give the ETA in minutes').waitFor();
    assert.equal(await server.node.db.transferNotice.count(), 0);

    await phone.getByLabel('Send to').selectOption({ label: 'Stroke unit — Regional hospital' });
    await phone.getByRole('button', { name: /^STROKE/ }).tap();
    assert.equal(await phone.getByText('Choose the condition').count(), 0, 'the message goes once the condition is chosen');
    await phone.getByLabel('Suspected diagnosis').fill('Left MCA stroke, candidate for thrombectomy');
    await phone.getByLabel('Key findings').fill('Right hemiparesis, aphasia. NIHSS 14. Hyperdense left MCA on CT.');
    await phone.getByLabel('GCS').fill('12');
    await phone.getByLabel('Systolic BP (mmHg)').fill('182');
    await phone.getByLabel('Diastolic BP (mmHg)').fill('95');
    await phone.getByLabel('Heart rate (/min)').fill('104');
    await phone.getByLabel('SpO2 (%)').fill('65');
    await phone.getByLabel('Temperature (°C)').fill('37.2');
    assert.equal(await phone.getByLabel('GCS').getAttribute('inputmode'), 'numeric', 'a numeric keypad on the phone');
    const lastWell = new Date(Date.now() - 50 * 60_000);
    await phone.getByLabel('Onset unknown: this is the time last known well').check();
    await phone.getByLabel('Last known well at').fill(`${String(lastWell.getHours()).padStart(2, '0')}:${String(lastWell.getMinutes()).padStart(2, '0')}`);
    await phone.getByRole('button', { name: '30′' }).tap();
    await phone.getByLabel('Call-back number').fill('+386 1 555 0100');
    assert.equal(await phone.getByLabel('Call-back number').getAttribute('type'), 'tel');
    assert.deepEqual(await overflowingElements(phone), [], 'the form fits the phone');

    // SpO2 65 % is possible but unusual: asked again, nothing sent yet
    await phone.getByRole('button', { name: 'Send notice' }).tap();
    await phone.getByTestId('confirm-vitals').filter({ hasText: /SpO2 65/ }).waitFor();
    assert.equal(await server.node.db.transferNotice.count(), 0);
    assert.equal(await alarmOf(stroke).count(), 0);

    const tapped = Date.now();
    await phone.getByRole('button', { name: 'Values are right — send' }).tap();
    await alarmOf(stroke).waitFor({ timeout: 10_000 });
    const rangAfter = Date.now() - tapped;
    assert.ok(rangAfter < ALARM_WITHIN_MS, `the alarm rang ${rangAfter} ms after the tap (at most ${ALARM_WITHIN_MS} ms)`);
    assert.match(await alarmOf(stroke).innerText(), /STROKE — Stroke unit, Regional hospital — ETA \d{2}:\d{2}/);
    await stroke.locator('[data-testid="transfer-alarm"][data-sound="playing"]').waitFor({ timeout: 5_000 });
    await alarmOf(colleague).waitFor();
    await stroke.waitForFunction(() => document.title.startsWith('🚨 Transfer'), null, { timeout: 5_000 });

    await phone.waitForURL(NOTICE_PAGE, { timeout: 30_000 });
    noticeId = new URL(phone.url()).pathname.split('/').pop()!;
    assert.equal(await server.node.db.transferNotice.count(), 1, 'one notice');
    await statusOf(phone).filter({ hasText: /Not acknowledged/ }).waitFor();
    assert.match(await phone.getByTestId('transfer-vitals').innerText(), /GCS 12 · BP 182\/95 mmHg · HR 104\/min · SpO2 65% · 37.2 °C/);
    assert.match(await phone.getByTestId('since-onset').innerText(), /^(49|50|51) min \(last known well/);
    assert.equal(await phone.getByRole('link', { name: '+386 1 555 0100' }).getAttribute('href'), 'tel:+38615550100');

    // A member of another service: no alarm, nothing ringing for them
    await outsider.reload();
    await ready(outsider);
    assert.equal(await outsider.locator('html').getAttribute('data-transfer-alarms'), '0');
    assert.equal(await alarmOf(outsider).count(), 0);
  });

  it('the board shows the notice in red under the alarm banner', async () => {
    await stroke.goto(`${server.url}/transfers`);
    await alarmOf(stroke).waitFor();
    const card = stroke.getByTestId('transfer-card');
    await card.first().waitFor();
    assert.equal(await card.count(), 1);
    assert.equal(await card.first().getAttribute('data-status'), 'SENT');
    assert.match(await card.first().innerText(), /STROKE[\s\S]*Horvat, Ana[\s\S]*ETA/i);
    assert.match(await card.first().innerText(), /images here|images arriving/);
    await stroke.screenshot({ path: path.join(README_IMAGES, 'transfer-board.png') });
  });

  it('acknowledged from the banner: every alarm of the service stops, the phone shows who, live', async () => {
    await stroke.getByTestId('transfer-alarm').getByRole('button', { name: 'Acknowledge' }).click();
    await alarmOf(stroke).waitFor({ state: 'detached' });
    await alarmOf(colleague).waitFor({ state: 'detached', timeout: 10_000 });
    await statusOf(phone).filter({ hasText: `Acknowledged by ${people.stroke.name}` }).waitFor({ timeout: 10_000 });
    // The board follows: amber now
    await stroke.locator('[data-testid="transfer-card"][data-status="ACKNOWLEDGED"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await overflowingElements(phone), [], 'the notice page fits the phone');
    await phone.screenshot({ path: path.join(README_IMAGES, 'transfer-phone.png'), fullPage: false });

    // News on the way from the phone: new vitals and ETA reach the board without a reload
    await phone.getByLabel('Heart rate (/min)').fill('98');
    await phone.getByRole('button', { name: '10′' }).tap();
    await phone.getByRole('button', { name: 'Send update' }).tap();
    await phone.getByText('Sent to the receiving team.').waitFor();
    await stroke.getByTestId('transfer-card').filter({ hasText: 'HR 98/min' }).waitFor({ timeout: 10_000 });
  });

  it('redirected to the Neuro ICU: its member rings, the stroke unit does not', async () => {
    icu = await open('icu', '/');
    await ready(icu);
    assert.equal(await alarmOf(icu).count(), 0);
    await stroke.goto(`${server.url}/transfers/${noticeId}`);
    await stroke.getByRole('button', { name: 'Redirect…' }).click();
    await stroke.getByLabel('Send to').selectOption({ label: 'Neuro ICU — Regional hospital' });
    await stroke.getByLabel('Why').fill('Stroke unit full; ICU bed ready');
    await stroke.getByRole('button', { name: 'Redirect the notice' }).click();
    await stroke.waitForURL(/\/transfers$/);
    await alarmOf(icu).filter({ hasText: /STROKE — Neuro ICU, Regional hospital/ }).waitFor({ timeout: 10_000 });
    await colleague.reload();
    await ready(colleague);
    assert.equal(await colleague.locator('html').getAttribute('data-transfer-alarms'), '0', 'the stroke unit no longer rings');
    assert.equal(await alarmOf(colleague).count(), 0);
    await statusOf(phone).filter({ hasText: /Not acknowledged/ }).waitFor({ timeout: 10_000 });
    assert.match(await phone.locator('h1').innerText(), /Neuro ICU, Regional hospital/);
  });

  it('the Neuro ICU records the arrival; the phone shows "Arrived"', async () => {
    await alarmOf(icu).getByRole('link', { name: 'Open' }).click();
    await icu.waitForURL(new RegExp(`/transfers/${noticeId}$`));
    await icu.getByRole('button', { name: 'Patient arrived' }).click();
    await statusOf(icu).filter({ hasText: /^Arrived/ }).waitFor({ timeout: 10_000 });
    await alarmOf(icu).waitFor({ state: 'detached' });
    await statusOf(phone).filter({ hasText: /^Arrived/ }).waitFor({ timeout: 10_000 });
  });

  it('a member of another service gets "not found" for the notice, page and API', async () => {
    const answer = await outsider.goto(`${server.url}/transfers/${noticeId}`);
    assert.equal(answer?.status(), 404);
    await outsider.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.equal((await outsider.request.get(`${server.url}/api/transfers/${noticeId}`)).status(), 404);
  });

  it('an unidentified patient: a double tap sends one notice, its temporary ID is shown big for the scanner, then the patient is identified', async () => {
    const before = await server.node.db.transferNotice.count();
    await outsider.goto(`${server.url}/`);
    await ready(outsider);
    await phone.goto(`${server.url}/transfers/new`);
    await phone.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="transfer-form"] button[type="submit"]')?.disabled);
    await phone.getByLabel('Send to').selectOption({ label: 'Cardiology — Regional hospital' });
    await phone.getByRole('button', { name: /^TRAUMA/ }).tap();
    await phone.getByLabel('Unidentified patient').check();
    await phone.getByLabel('ETA in minutes').fill('20');
    const send = phone.getByRole('button', { name: 'Send notice' });
    await send.dblclick();
    await phone.waitForURL(NOTICE_PAGE, { timeout: 30_000 });
    assert.equal(await server.node.db.transferNotice.count(), before + 1, 'one notice for a double tap');
    const temporary = await phone.getByTestId('temporary-id').innerText();
    const notice = await server.node.db.transferNotice.findUniqueOrThrow({ where: { id: new URL(phone.url()).pathname.split('/').pop()! } });
    assert.equal(notice.unidentified, true);
    assert.ok(notice.patientId && temporary.includes(notice.patientId), `the temporary ID ${notice.patientId} is shown: ${temporary}`);
    await alarmOf(outsider).filter({ hasText: /MAJOR TRAUMA — Cardiology, Regional hospital/ }).waitFor({ timeout: 10_000 });

    // Identified on the way: the sending team names the real record, the notice shows the patient
    await phone.getByLabel('Patient identified? Their record').selectOption({ label: 'Horvat, Ana · MRN MRN-TX-1' });
    await phone.getByRole('button', { name: 'Identify patient' }).tap();
    await phone.getByTestId('transfer-patient').filter({ hasText: 'Horvat, Ana · MRN-TX-1' }).waitFor({ timeout: 10_000 });
    assert.equal(await phone.getByTestId('temporary-id').count(), 0);
  });

  it('nothing on these pages was blocked by the content security policy', () => {
    assert.deepEqual(blocked, []);
  });
});
