// The second-opinion inbox (issue 15) in real Chromium against a real portal,
// archive and database. Two facilities: a district clinic whose referring
// doctor asks, a regional hospital with a Neuroradiology service of two
// experts (Weber, Okafor) and an expert outside it (Lind). Cases are created
// through lib/referrals as the doctor, as the create form would.
// - Weber's inbox lists the service's cases by due time (an overdue one first,
//   then stat, urgent, routine) with the countdown, the STAT badge, the
//   header's counts; filters are a GET form;
// - a stat case sent while the inbox is open appears without a reload, the
//   header's counts grow, and the stat alert Weber turned on goes off;
// - Weber claims it; Okafor's open inbox loses it live; Okafor, whose page
//   missed the news (its socket's referral events dropped), clicks Claim on
//   another case Weber took meanwhile and is told it is gone;
// - Okafor declines a case: the doctor's "My referrals" shows it and the
//   header's "My referrals" count, live;
// - Lind sees an empty inbox and gets 404 for the case;
// - "Ask for a second opinion" on the study page, the patient page and the
//   worklist row for the doctor, not for an expert reading through a grant;
// - at phone width nothing is wider than the screen.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createSession, SESSION_COOKIE_NAME } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { createReferral } from '../../lib/referrals/create-referral';
import { transitionReferral } from '../../lib/referrals/transition-referral';
import { getRuntime } from '../../lib/runtime';
import { CHROMIUM, launchChromium } from '../support/browser';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { makeStudy } from '../support/fixtures';
import { DESKTOP, openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const casePageExists = existsSync(path.resolve('app/referrals/[id]/page.tsx'));

describe('the second-opinion inbox in the browser', { skip, timeout: 10 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const ids = { clinic: '', hospital: '', service: '', doctor: '', weber: '', okafor: '', lind: '' };
  const principal = (userId: string) => ({ userId, email: `${userId}@e2e`, ip: '10.15.0.1' });
  const study = (patientId: string, patientName: string, modality: string, studyDescription: string) =>
    makeStudy({ patientId, patientName, modality, studyDescription, series: 1, instancesPerSeries: 1, rows: 32, columns: 32, seed: `referral-${patientId}` });
  const studies = {
    routine: study('REF-ROUTINE', 'Novak^Jana', 'MR', 'MR brain'),
    urgent: study('REF-URGENT', 'Søndergaard^Mikkel', 'CT', 'CT head'),
    overdue: study('REF-OVERDUE', 'Haddad^Layla', 'MR', 'MR spine'),
    stat: study('REF-STAT', 'Brennan^Aoife', 'CT', 'CT angiography'),
    live: study('REF-LIVE', 'Kowalczyk^Piotr', 'CT', 'CT head non-contrast'),
    taken: study('REF-TAKEN', 'Ferreira^Inês', 'MR', 'MR orbit'),
  };
  const cases = { routine: '', urgent: '', overdue: '', stat: '', live: '', taken: '' };

  async function send(name: keyof typeof studies, priority: 'ROUTINE' | 'URGENT' | 'STAT', question: string): Promise<string> {
    const { id } = await createReferral(getRuntime(), principal(ids.doctor), {
      studyInstanceUids: [studies[name].studyInstanceUid],
      question,
      priority,
      addressee: { serviceId: ids.service },
    });
    return id;
  }

  before(async () => {
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
    const db = server.node.db;
    ids.clinic = (await createFacility(db, 'District Clinic Nord')).id;
    ids.hospital = (await createFacility(db, 'Regional Hospital')).id;
    for (const files of Object.values(studies)) for (const file of files) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, ids.clinic);
    // Each patient agreed to share their images with the region's facilities (issue 16)
    for (const files of Object.values(studies)) await permitSharing(db, await patientRefOfStudy(db, files.studyInstanceUid, ids.clinic));
    ids.doctor = (await createUser(db, { email: 'petrov@clinic.example', name: 'Dr Ana Petrov', memberships: [{ facilityId: ids.clinic, role: 'REFERRING' }] })).id;
    ids.weber = (await createUser(db, { email: 'weber@hospital.example', name: 'Dr Jonas Weber', memberships: [{ facilityId: ids.hospital, role: 'EXPERT' }] })).id;
    ids.okafor = (await createUser(db, { email: 'okafor@hospital.example', name: 'Dr Mira Okafor', memberships: [{ facilityId: ids.hospital, role: 'EXPERT' }] })).id;
    ids.lind = (await createUser(db, { email: 'lind@hospital.example', name: 'Dr Lena Lind', memberships: [{ facilityId: ids.hospital, role: 'EXPERT' }] })).id;
    ids.service = (await db.service.create({ data: { facilityId: ids.hospital, name: 'Neuroradiology' } })).id;
    for (const userId of [ids.weber, ids.okafor]) await db.serviceMember.create({ data: { serviceId: ids.service, userId } });

    cases.routine = await send('routine', 'ROUTINE', 'Follow-up of a known meningioma: any growth since last year?');
    cases.urgent = await send('urgent', 'URGENT', 'Sudden headache, CT unclear: subarachnoid blood?');
    cases.overdue = await send('overdue', 'URGENT', 'Back pain with leg weakness: cord compression?');
    cases.stat = await send('stat', 'STAT', 'Suspected basilar artery occlusion, thrombectomy decision within the hour.');
    // One case passed its due time 3 hours ago
    await db.referral.update({ where: { id: cases.overdue }, data: { dueAt: new Date(Date.now() - (3 * 60 + 5) * 60_000) } });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  const rows = (page: Page) => page.locator('#referral-inbox tbody tr');
  const row = (page: Page, referralId: string) => page.locator(`tr[data-referral="${referralId}"]`);
  const mrns = (page: Page) => rows(page).evaluateAll((trs) => trs.map((tr) => /MRN (\S+)/.exec((tr as HTMLElement).innerText)?.[1] ?? ''));
  const connected = (page: Page) => page.locator('html[data-referral-events="connected"]').waitFor();
  const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { __sameDocument: true }));
  const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
  const text = async (page: Page, testId: string) => ((await page.getByTestId(testId).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();

  /** A signed-in tab whose /realtime socket drops referral:changed frames while `drop.on` (a page that missed the news) */
  async function openWithDroppedNews(userId: string, urlPath: string, drop: { on: boolean; upgraded: boolean }): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: DESKTOP });
    const { token } = await createSession(server.node.db, { userId, ttlHours: 2 });
    await context.addCookies([{ name: SESSION_COOKIE_NAME, value: token, url: server.url }]);
    await context.routeWebSocket(/socket\.io/, (socket) => {
      const upstream = socket.connectToServer();
      socket.onMessage((message) => {
        // The client talks over this WebSocket (it opens one first; engine.io's "5" would be an
        // upgrade from long-polling): every later event comes through here
        drop.upgraded = true;
        upstream.send(message);
      });
      upstream.onMessage((message) => {
        if (drop.on && String(message).includes('referral:changed')) return;
        socket.send(message);
      });
    });
    const page = await context.newPage();
    await page.goto(`${server.url}${urlPath}`);
    return { page, context };
  }

  it('lists the cases by due time with the countdown, the STAT badge and the header counts; filters by priority', async () => {
    const page = await openSignedIn(browser, server, ids.weber, '/referrals');
    await page.getByRole('heading', { name: 'Second opinions' }).waitFor();
    assert.deepEqual(await mrns(page), ['REF-OVERDUE', 'REF-STAT', 'REF-URGENT', 'REF-ROUTINE'], 'the first due at the top');
    assert.equal(await text(page, 'referral-total'), '4 cases open, the first due at the top.');

    const overdue = row(page, cases.overdue);
    assert.equal(await overdue.getByTestId('due').getAttribute('data-overdue'), 'true');
    assert.match(await overdue.getByTestId('due').innerText(), /Overdue\s+overdue by 3 h [5-9] min/);
    const stat = row(page, cases.stat);
    assert.equal(await stat.locator('[data-priority]').textContent(), 'STAT');
    assert.match(await stat.getByTestId('due').innerText(), /^\s*due in (59 min|1 h)$/);
    assert.equal(await stat.getByTestId('due').getAttribute('data-overdue'), 'false');
    assert.match(await row(page, cases.urgent).getByTestId('due').innerText(), /due in 5 h 5\d min/);
    assert.match(await row(page, cases.routine).getByTestId('due').innerText(), /due in 2 d 23 h/);
    assert.equal(await row(page, cases.routine).locator('[data-priority]').textContent(), 'Routine');
    const statText = ((await stat.innerText()) ?? '').replace(/\s+/g, ' ');
    for (const expected of ['Brennan, Aoife', 'MRN REF-STAT', 'Suspected basilar artery occlusion', 'CT', 'Dr Ana Petrov', 'District Clinic Nord', 'Neuroradiology', 'Nobody yet', 'Requested']) {
      assert.ok(statText.includes(expected), `the row says ${expected}: ${statText}`);
    }
    assert.equal(await stat.getByRole('button', { name: 'Claim the case of Brennan, Aoife (MRN REF-STAT)' }).count(), 1);
    assert.equal(await stat.getByRole('link', { name: 'Brennan, Aoife' }).getAttribute('href'), `/referrals/${cases.stat}`);
    // The header: 4 open, 1 of them stat
    assert.equal(await text(page, 'nav-referrals-open'), ', 4 open');
    assert.equal(await text(page, 'nav-referrals-stat'), ', 1 stat');
    assert.equal(await page.getByRole('link', { name: /^Second opinions\W+4 open\W+1 stat$/ }).count(), 1, 'the counts are read out with the link');
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the screen');
    const table = await page.locator('#referral-inbox').boundingBox();
    assert.ok(table && table.x + table.width <= DESKTOP.width, `the whole table shows on a desktop screen (ends at ${table && table.x + table.width} px)`);
    await screenshot(page, 'referral-inbox');

    // Filters: a GET form, the URL says what is shown
    await page.getByLabel('Priority').selectOption('URGENT');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/priority=URGENT/);
    assert.deepEqual(await mrns(page), ['REF-OVERDUE', 'REF-URGENT']);
    await page.getByLabel('Modality').selectOption('MR');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/modality=MR/);
    assert.deepEqual(await mrns(page), ['REF-OVERDUE']);
    await page.getByLabel('Priority').selectOption('STAT');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByTestId('referrals-empty').filter({ hasText: 'No case matches these filters.' }).waitFor();
    await page.context().close();
  });

  it('a stat case sent while the inbox is open appears without a reload, with the alert; Claim takes it and it leaves the colleague’s inbox live', async () => {
    const weber = await openSignedIn(browser, server, ids.weber, '/referrals');
    const okafor = await openSignedIn(browser, server, ids.okafor, '/referrals');
    await connected(weber);
    await connected(okafor);
    await weber.getByTestId('stat-alert').check();
    await markDocument(weber);
    await markDocument(okafor);
    assert.equal(await rows(weber).count(), 4);

    cases.live = await send('live', 'STAT', 'Acute left hemiparesis: large vessel occlusion?');
    await row(weber, cases.live).waitFor({ timeout: 15_000 });
    await row(okafor, cases.live).waitFor({ timeout: 15_000 });
    assert.deepEqual(await mrns(weber), ['REF-OVERDUE', 'REF-STAT', 'REF-LIVE', 'REF-URGENT', 'REF-ROUTINE']);
    await weber.getByTestId('nav-referrals-stat').filter({ hasText: '2 stat' }).waitFor({ timeout: 15_000 });
    assert.equal(await text(weber, 'nav-referrals-open'), ', 5 open');
    await weber.locator('html[data-stat-alerts="1"]').waitFor({ timeout: 5_000 });
    assert.equal(await okafor.locator('html[data-stat-alerts]').count(), 0, 'no alert where it was not turned on');
    assert.ok(await notReloaded(weber), 'no reload');

    // Weber claims it: his row says he has it; it leaves Okafor's inbox and her counts, live
    await row(weber, cases.live).getByRole('button', { name: /^Claim the case of/ }).click();
    await weber.getByTestId('inbox-notice').filter({ hasText: 'You claimed the case of Kowalczyk, Piotr (MRN REF-LIVE).' }).waitFor();
    await row(weber, cases.live).getByTestId('status').filter({ hasText: 'Accepted' }).waitFor();
    assert.match(await row(weber, cases.live).innerText(), /Dr Jonas Weber/);
    assert.equal(await row(weber, cases.live).getByRole('button', { name: /Claim/ }).count(), 0);
    await row(okafor, cases.live).waitFor({ state: 'detached', timeout: 15_000 });
    await okafor.getByTestId('nav-referrals-open').filter({ hasText: '4 open' }).waitFor({ timeout: 15_000 });
    assert.equal(await text(weber, 'nav-referrals-open'), ', 5 open', 'still in his inbox: he has it');
    assert.ok(await notReloaded(okafor), 'no reload');
    await screenshot(weber, 'referral-inbox-claimed');
    await weber.context().close();
    await okafor.context().close();
  });

  it('a Claim on a case another expert took meanwhile says so, and the list follows', async () => {
    cases.taken = await send('taken', 'ROUTINE', 'Optic neuritis or compressive lesion?');
    const drop = { on: false, upgraded: false };
    const { page: okafor, context } = await openWithDroppedNews(ids.okafor, '/referrals', drop);
    await connected(okafor);
    await row(okafor, cases.taken).waitFor();
    for (let waited = 0; !drop.upgraded && waited < 10_000; waited += 100) await okafor.waitForTimeout(100);
    assert.ok(drop.upgraded, 'the socket runs over the WebSocket');
    drop.on = true;
    await transitionReferral(getRuntime(), principal(ids.weber), cases.taken, { action: 'claim' });
    assert.equal(await row(okafor, cases.taken).count(), 1, 'the page missed the news');
    await row(okafor, cases.taken).getByRole('button', { name: /^Claim the case of/ }).click();
    await okafor
      .getByTestId('inbox-notice')
      .filter({ hasText: 'The case of Ferreira, Inês (MRN REF-TAKEN): Dr Jonas Weber claimed this case first.' })
      .waitFor();
    await row(okafor, cases.taken).waitFor({ state: 'detached' });
    assert.equal(await okafor.getByRole('alert').filter({ hasText: 'Dr Jonas Weber claimed this case first.' }).count(), 1);
    await context.close();
  });

  it("a declined case shows on the doctor's My referrals and in the header, live", async () => {
    const doctor = await openSignedIn(browser, server, ids.doctor, '/referrals?box=mine');
    await connected(doctor);
    await markDocument(doctor);
    const mine = doctor.locator('#my-referrals tbody tr');
    assert.equal(await mine.count(), 6);
    assert.equal(await doctor.getByTestId('nav-my-referrals').count(), 0, 'nothing waits for the doctor');
    assert.match(await row(doctor, cases.live).innerText(), /Dr Jonas Weber[\s\S]*Accepted/);

    await transitionReferral(getRuntime(), principal(ids.okafor), cases.routine, { action: 'decline', reason: 'Please send the prior MR as well.' });
    await row(doctor, cases.routine).getByTestId('status').filter({ hasText: 'Declined' }).waitFor({ timeout: 15_000 });
    assert.match(await row(doctor, cases.routine).getByTestId('status').innerText(), /Declined\s+Send it to someone else/);
    await doctor.getByTestId('nav-my-referrals').filter({ hasText: 'My referrals: 1' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(
      await mine.evaluateAll((trs) => trs.map((tr) => /MRN (\S+)/.exec((tr as HTMLElement).innerText)?.[1])).then((list) => list[0]),
      'REF-ROUTINE',
      'the latest change first',
    );
    assert.ok(await notReloaded(doctor), 'no reload');
    await screenshot(doctor, 'referral-my-referrals');
    // The doctor's own inbox is empty and says what to do
    await doctor.getByRole('link', { name: 'Inbox' }).click();
    await doctor.getByTestId('referrals-empty').filter({ hasText: 'Your inbox is empty.' }).waitFor();
    await doctor.context().close();
  });

  it('an expert outside the service sees an empty inbox and no case', async () => {
    const lind = await openSignedIn(browser, server, ids.lind, '/referrals');
    await lind.getByTestId('referrals-empty').filter({ hasText: 'Your inbox is empty.' }).waitFor();
    assert.equal(await lind.getByTestId('nav-referrals-open').count(), 0);
    assert.equal((await lind.request.get(`${server.url}/api/referrals/${cases.stat}`)).status(), 404);
    if (casePageExists) {
      const response = await lind.goto(`${server.url}/referrals/${cases.stat}`);
      assert.equal(response?.status(), 404);
    }
    await screenshot(lind, 'referral-inbox-empty');
    await lind.context().close();
  });

  it('"Ask for a second opinion" on the study page, the patient page and the worklist for members of the study’s facility only', async () => {
    const uid = studies.urgent.studyInstanceUid;
    const doctor = await openSignedIn(browser, server, ids.doctor, `/studies/${uid}`);
    const ask = doctor.getByRole('link', { name: 'Ask for a second opinion', exact: true });
    assert.equal(await ask.getAttribute('href'), `/referrals/new?study=${uid}`);
    const patientRef = (await server.node.db.study.findFirstOrThrow({ where: { studyInstanceUid: uid }, select: { patientRef: true } })).patientRef;
    await doctor.goto(`${server.url}/patients/${patientRef}`);
    assert.equal(await ask.getAttribute('href'), `/referrals/new?patient=${patientRef}`);
    await doctor.goto(`${server.url}/?mrn=REF-URGENT`);
    const worklistLink = doctor.locator('#worklist tbody tr').filter({ hasText: 'Søndergaard, Mikkel' }).getByRole('link', { name: 'Ask for a second opinion on this study' });
    assert.equal(await worklistLink.getAttribute('href'), `/referrals/new?study=${uid}`);
    await screenshot(doctor, 'referral-worklist-link', { fullPage: false });
    await doctor.context().close();

    // Weber reads the study he claimed through the case's grant: he may look, not send it on
    const weber = await openSignedIn(browser, server, ids.weber, `/studies/${studies.live.studyInstanceUid}`);
    await weber.getByRole('heading', { name: 'CT head non-contrast' }).waitFor();
    assert.equal(await weber.getByRole('link', { name: /Ask for a second opinion/ }).count(), 0);
    await weber.context().close();
  });

  it('stays readable at phone width: each case is a block, nothing wider than the screen', async () => {
    const page = await openSignedIn(browser, server, ids.weber, '/referrals', PHONE);
    await rows(page).first().waitFor();
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
    const box = await rows(page).first().boundingBox();
    assert.ok(box && box.width <= PHONE.width, 'a row fits the screen');
    await screenshot(page, 'referral-inbox-phone');
    await page.goto(`${server.url}/referrals?box=mine`);
    assert.deepEqual(await overflowingElements(page), [], 'the empty "My referrals" fits too');
    await page.context().close();
  });
});
