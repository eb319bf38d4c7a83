// A second-opinion case in real Chromium against a real portal, archive and
// database (issue 15): a referring doctor of a district clinic asks the
// regional hospital's Neuroradiology service, STAT, from the create form
// (/referrals/new?study=…: the study preselected, a prior offered, the due
// time shown from the service's turnaround); the case page shows "Requested"
// and the due time; an expert of the service claims it, asks a question that
// the doctor sees without reloading, the doctor answers and the expert sees
// that live; the expert starts a teleconsultation from the case; an expert of
// the same hospital outside the service gets "not found" for the page and the
// API. Both pages fit a phone. Screenshots: test-output/e2e/referral-new.png
// (the create form) and referral-case.png (the case page, desktop) for the README.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CHROMIUM, launchChromium } from '../support/browser';
import { MEDIA_ARGS } from '../support/consult-harness';
import { permitSharing, patientRefOfStudy } from '../support/consent';
import { makeStudy } from '../support/fixtures';
import { DESKTOP, openSignedIn, overflowingElements, PHONE, SCREENSHOTS, screenshot } from '../support/screens';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'second opinion e2e password';
const QUESTION = 'Acute ischaemic stroke in the left MCA territory? Any haemorrhage before thrombolysis?';
const EXPERT_QUESTION = 'When exactly did the symptoms start?';
const ANSWER = 'Last seen well at 07:40, found at 08:15.';

/** A one-page PDF, as a referral letter would be (starts with %PDF-, as the upload checks) */
function referralLetter(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    '<< /Length 58 >>\nstream\nBT /F1 18 Tf 72 760 Td (Referral letter: Novak, Marta) Tj ET\nendstream',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(Buffer.byteLength(body));
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

const statusOf = (page: Page) => page.getByTestId('status');

/** Waits until `userId` has read the case's thread up to its newest message (the page shown marks it read: POST /read) */
async function waitForRead(server: TestServer, referralId: string, userId: string): Promise<void> {
  const db = server.node.db;
  const newest = await db.referralMessage.findFirstOrThrow({ where: { referralId }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
  for (let tries = 0; tries < 100; tries++) {
    const read = await db.referralRead.findUnique({ where: { referralId_userId: { referralId, userId } }, select: { readAt: true } });
    if (read && read.readAt >= newest.createdAt) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the thread is not marked read for ${userId}`);
}

describe('a second-opinion case, from the create form to a teleconsultation', { skip, timeout: 20 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const people = { doctor: { id: '', name: 'Dr Dora District' }, expert: { id: '', name: 'Dr Nina Neuro' }, outsider: { id: '', name: 'Dr Otto Other' } };
  const current = makeStudy({ patientId: 'MRN-SO-7', patientName: 'Novak^Marta', modality: 'MR', studyDescription: 'MR head stroke protocol', studyDate: '20261206', series: 1, instancesPerSeries: 2, rows: 64, columns: 64, seed: 'referral-case-current' });
  const prior = makeStudy({ patientId: 'MRN-SO-7', patientName: 'Novak^Marta', modality: 'CT', studyDescription: 'CT head', studyDate: '20250301', series: 1, instancesPerSeries: 1, rows: 64, columns: 64, seed: 'referral-case-prior' });
  let doctorPage: Page;
  let expertPage: Page;
  let caseId = '';
  let districtId = '';

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    browser = await launchChromium(MEDIA_ARGS);
    const db = server.node.db;
    const district = await createFacility(db, 'District clinic');
    const regional = await createFacility(db, 'Regional hospital');
    districtId = district.id;
    const passwordHash = await hashPassword(PASSWORD);
    const person = async (key: keyof typeof people, email: string, facilityId: string, role: 'EXPERT' | 'REFERRING') => {
      const user = await createUser(db, { email, name: people[key].name, passwordHash, memberships: [{ facilityId, role }] });
      people[key].id = user.id;
    };
    await person('doctor', 'dora@district.example', district.id, 'REFERRING');
    await person('expert', 'nina@regional.example', regional.id, 'EXPERT');
    await person('outsider', 'otto@regional.example', regional.id, 'EXPERT');
    const service = await db.service.create({ data: { facilityId: regional.id, name: 'Neuroradiology', turnaroundStatMinutes: 60, turnaroundUrgentMinutes: 240 } });
    await db.serviceMember.create({ data: { serviceId: service.id, userId: people.expert.id } });
    for (const file of [...current, ...prior]) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, district.id);
    // The patient agreed to share their images with the region's facilities (issue 16)
    await permitSharing(db, await patientRefOfStudy(db, current.studyInstanceUid, district.id), { recordedById: people.doctor.id });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('the doctor fills the create form: the study first and preselected, the prior offered, STAT due within 1 h at Neuroradiology', async () => {
    // "Ask for a second opinion" on the study page is another part of issue 15: the form's address directly
    doctorPage = await openSignedIn(browser, server, people.doctor.id, `/referrals/new?study=${current.studyInstanceUid}`);
    await doctorPage.getByRole('heading', { name: 'Ask for a second opinion' }).waitFor();
    const patient = await doctorPage.getByLabel('Patient', { exact: true }).innerText();
    assert.match(patient, /Novak, Marta/);
    assert.match(patient, /MRN-SO-7/);
    const studies = doctorPage.getByRole('checkbox');
    assert.equal(await studies.count(), 2);
    assert.equal(await studies.nth(0).isChecked(), true, 'the study of the page is preselected');
    assert.match((await studies.nth(0).locator('xpath=..').innerText()) ?? '', /MR head stroke protocol \(this study\)/);
    assert.equal(await studies.nth(1).isChecked(), false, 'the prior is offered, not chosen');
    await studies.nth(1).check();

    await doctorPage.getByRole('button', { name: 'Send', exact: true }).waitFor({ state: 'visible' });
    await doctorPage.waitForFunction(() => !document.querySelector<HTMLButtonElement>('button[value="send"]')?.disabled);
    // Sent empty: the question is asked for beside its input, nothing is created
    await doctorPage.getByRole('button', { name: 'Send', exact: true }).click();
    await doctorPage.getByText('Write the clinical question').waitFor();
    assert.equal(await server.node.db.referral.count(), 0);

    await doctorPage.getByLabel('Clinical question (required)').fill(QUESTION);
    assert.equal(await doctorPage.getByText('Write the clinical question').count(), 0, 'the message goes once the field is filled');
    await doctorPage.getByLabel('Relevant history').fill('Right-sided weakness and aphasia since this morning. On apixaban.');
    await doctorPage.getByLabel('Ask (a service or a named expert)').selectOption({ label: 'Neuroradiology (service, Regional hospital)' });
    await doctorPage.getByLabel('Urgent', { exact: true }).check();
    await doctorPage.getByTestId('due-preview').filter({ hasText: 'Due within 4 h' }).waitFor();
    await doctorPage.getByLabel('STAT', { exact: true }).check();
    await doctorPage.getByTestId('due-preview').filter({ hasText: /Due within 1 h — by / }).waitFor();
    await doctorPage.getByLabel(/^Attachments/).setInputFiles({ name: 'referral-letter.pdf', mimeType: 'application/pdf', buffer: referralLetter() });
    await screenshot(doctorPage, 'referral-new');

    await doctorPage.getByRole('button', { name: 'Send', exact: true }).click();
    await doctorPage.waitForURL(/\/referrals\/[^/?]+$/, { timeout: 60_000 });
    caseId = new URL(doctorPage.url()).pathname.split('/').pop()!;
    await statusOf(doctorPage).filter({ hasText: 'Requested' }).waitFor();
    assert.equal(await doctorPage.getByTestId('priority').innerText(), 'STAT');
    const due = doctorPage.getByTestId('due-time');
    await due.filter({ hasText: / · in (59|60) min|in 1 h/ }).waitFor({ timeout: 10_000 });
    assert.match(await doctorPage.getByTestId('addressee').innerText(), /Neuroradiology \(service\), Regional hospital/);
    assert.match(await doctorPage.getByTestId('question').innerText(), /left MCA territory/);

    const stored = await server.node.db.referral.findUniqueOrThrow({ where: { id: caseId }, include: { studies: { orderBy: { position: 'asc' } } } });
    assert.equal(stored.priority, 'STAT');
    assert.deepEqual(stored.studies.map((study) => [study.studyInstanceUid, study.primary]), [[current.studyInstanceUid, true], [prior.studyInstanceUid, false]]);
    const dueInMinutes = (stored.dueAt!.getTime() - stored.requestedAt!.getTime()) / 60_000;
    assert.equal(dueInMinutes, 60);
    await doctorPage.getByRole('link', { name: 'referral-letter.pdf' }).waitFor();
  });

  it('the expert of the service claims the case; the doctor sees it accepted without reloading', async () => {
    expertPage = await openSignedIn(browser, server, people.expert.id, `/referrals/${caseId}`);
    await statusOf(expertPage).filter({ hasText: 'Requested' }).waitFor();
    // Both pages listen before anything changes
    for (const page of [doctorPage, expertPage]) await page.waitForFunction(() => document.documentElement.getAttribute('data-case-live') === 'connected', null, { timeout: 20_000 });
    await expertPage.getByRole('button', { name: 'Claim', exact: true }).click();
    await statusOf(expertPage).filter({ hasText: 'Accepted' }).waitFor({ timeout: 15_000 });
    assert.equal(await expertPage.getByTestId('owner').innerText(), people.expert.name);
    // The report is written from the case while it is the expert's
    const report = expertPage.getByRole('link', { name: 'Write report' });
    assert.equal(await report.getAttribute('href'), `/studies/${current.studyInstanceUid}/report?referral=${caseId}`);
    await statusOf(doctorPage).filter({ hasText: 'Accepted' }).waitFor({ timeout: 15_000 });
    assert.equal(await doctorPage.getByTestId('owner').innerText(), people.expert.name);

    // The referral letter: the expert opens it as sent; the archive holds it in the study as an Encapsulated PDF
    const letter = expertPage.getByRole('link', { name: 'referral-letter.pdf' });
    const answer = await expertPage.request.get(new URL((await letter.getAttribute('href'))!, server.url).toString());
    assert.equal(answer.status(), 200);
    assert.equal(answer.headers()['content-type'], 'application/pdf');
    assert.deepEqual(Buffer.from(await answer.body()), referralLetter());
    const attachment = await server.node.db.referralAttachment.findFirstOrThrow({ where: { referralId: caseId } });
    for (let tries = 0; tries < 200 && !(await server.node.db.referralAttachment.findUniqueOrThrow({ where: { id: attachment.id } })).sopInstanceUid; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    const archived = await server.node.db.referralAttachment.findUniqueOrThrow({ where: { id: attachment.id } });
    assert.equal(archived.studyInstanceUid, current.studyInstanceUid, 'filed into the case’s study by its job');
  });

  it('the expert asks a question: the doctor sees it live, answers, and the expert sees the answer live', async () => {
    await expertPage.getByRole('button', { name: 'Ask a question' }).click();
    await expertPage.getByLabel('Your question to the requesting doctor').fill(EXPERT_QUESTION);
    await expertPage.getByRole('button', { name: 'Send the question' }).click();
    await statusOf(expertPage).filter({ hasText: 'Question asked' }).waitFor({ timeout: 15_000 });

    const question = doctorPage.getByTestId('thread').locator('li').filter({ hasText: EXPERT_QUESTION });
    await question.waitFor({ timeout: 15_000 });
    assert.match(await question.innerText(), /QUESTION/);
    assert.match(await question.innerText(), new RegExp(people.expert.name));
    await statusOf(doctorPage).filter({ hasText: 'Question asked' }).waitFor();
    await waitForRead(server, caseId, people.doctor.id);

    await doctorPage.getByRole('button', { name: 'Answer', exact: true }).click();
    await doctorPage.getByLabel('Your answer').fill(ANSWER);
    await doctorPage.getByRole('button', { name: 'Send the answer' }).click();
    await statusOf(doctorPage).filter({ hasText: 'In progress' }).waitFor({ timeout: 15_000 });

    const answer = expertPage.getByTestId('thread').locator('li').filter({ hasText: ANSWER });
    await answer.waitFor({ timeout: 15_000 });
    assert.match(await answer.innerText(), /ANSWER/);
    await statusOf(expertPage).filter({ hasText: 'In progress' }).waitFor();
    // The timeline names each move and who made it
    const timeline = await expertPage.getByTestId('timeline').innerText();
    for (const line of [/Sent by Dr Dora District/, /Claimed by Dr Nina Neuro/, /Asked a question by Dr Nina Neuro/, /Answered by Dr Dora District/]) assert.match(timeline, line);

    // A plain message on the thread, shown to the other side live
    await doctorPage.getByLabel('Message', { exact: true }).fill('CT angiography is on its way.');
    await doctorPage.getByRole('button', { name: 'Send message' }).click();
    await expertPage.getByTestId('thread').getByText('CT angiography is on its way.').waitFor({ timeout: 15_000 });
    // One unread message before (the answer), one now: the page still marks the new one read
    await waitForRead(server, caseId, people.expert.id);

    await screenshot(doctorPage, 'referral-case');
  });

  it('the expert starts a teleconsultation from the case: the room opens with the doctor invited; the case lists it', async () => {
    await expertPage.getByRole('button', { name: 'Start teleconsultation' }).click();
    await expertPage.waitForURL(/\/consultations\/[^/]+$/, { timeout: 60_000 });
    const consultationId = new URL(expertPage.url()).pathname.split('/').pop()!;
    await expertPage.locator(`[data-user="${people.doctor.id}"]`).filter({ hasText: people.doctor.name }).waitFor({ timeout: 60_000 });
    const consultation = await server.node.db.consultation.findUniqueOrThrow({ where: { id: consultationId }, include: { participants: true } });
    assert.equal(consultation.referralId, caseId);
    assert.deepEqual(consultation.participants.map((participant) => participant.userId).sort(), [people.doctor.id, people.expert.id].sort());
    await doctorPage.reload();
    await doctorPage.getByRole('list', { name: 'Teleconsultations' }).getByRole('link', { name: 'Second opinion' }).waitFor();
  });

  it('the expert writes and signs the case’s report; the doctor sees it signed without reloading and closes the case', async () => {
    await expertPage.goto(`${server.url}/referrals/${caseId}`);
    await expertPage.getByRole('link', { name: 'Write report' }).click();
    await expertPage.waitForURL(`**/studies/${current.studyInstanceUid}/report?referral=${caseId}`);
    await expertPage.getByRole('heading', { name: 'Start the report' }).waitFor();
    await expertPage.getByLabel('Template').selectOption({ label: 'MR brain' });
    await expertPage.getByRole('button', { name: 'Start report' }).click();
    await expertPage.getByLabel('Impression').fill('Acute left MCA territory infarct; no haemorrhage. Second opinion agrees with thrombectomy work-up.');
    await expertPage.getByTestId('save-state').filter({ hasText: /^Saved \d\d:\d\d:\d\d$/ }).waitFor({ timeout: 15_000 });
    // Starting the report started the case; the doctor's page shows it live
    await doctorPage.getByTestId('status').filter({ hasText: 'In progress' }).waitFor({ timeout: 15_000 });

    await expertPage.getByRole('button', { name: 'Sign…' }).click();
    await expertPage.getByLabel('Your password').fill(PASSWORD);
    await expertPage.getByRole('button', { name: 'Sign', exact: true }).click();
    await expertPage.getByTestId('signed-by').waitFor({ timeout: 60_000 });

    // The doctor's page, never reloaded since the teleconsultation test: the signed report and its PDF
    await doctorPage.getByTestId('status').filter({ hasText: 'Report signed' }).waitFor({ timeout: 15_000 });
    await doctorPage.getByTestId('report').getByRole('link', { name: 'PDF' }).waitFor();
    const report = await server.node.db.report.findFirstOrThrow({ where: { referralId: caseId }, select: { id: true, status: true } });
    assert.equal(report.status, 'FINAL');
    assert.equal((await server.node.db.referral.findUniqueOrThrow({ where: { id: caseId }, select: { reportId: true } })).reportId, report.id);
    const pdf = await doctorPage.request.get(`${server.url}/api/reports/${report.id}/pdf`);
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');

    await doctorPage.getByRole('button', { name: 'Close', exact: true }).click();
    await doctorPage.getByTestId('status').filter({ hasText: 'Closed' }).waitFor({ timeout: 15_000 });
    await expertPage.goto(`${server.url}/referrals/${caseId}`);
    await expertPage.getByTestId('status').filter({ hasText: 'Closed' }).waitFor();
    // The outsider of the same hospital still gets nothing: not the case, not its report
    const outsider = await openSignedIn(browser, server, people.outsider.id, `/studies/${current.studyInstanceUid}/report?referral=${caseId}`);
    assert.equal((await outsider.request.get(`${server.url}/api/reports/${report.id}`)).status(), 404);
    await outsider.getByRole('heading', { name: /not found/i }).first().waitFor();
    await outsider.close();
  });

  it('a draft to a named expert is sent from its page; a stale tab claiming it is told why it cannot', async () => {
    const form = await openSignedIn(browser, server, people.doctor.id, `/referrals/new?study=${current.studyInstanceUid}`);
    await form.waitForFunction(() => !document.querySelector<HTMLButtonElement>('button[value="draft"]')?.disabled);
    await form.getByLabel('Clinical question (required)').fill('Follow-up: any new lesion since March?');
    await form.getByLabel('Ask (a service or a named expert)').selectOption({ label: 'Dr Nina Neuro (expert, Regional hospital)' });
    await form.getByTestId('due-preview').filter({ hasText: 'Due within 3 days' }).waitFor();
    await form.getByRole('button', { name: 'Save as draft' }).click();
    await form.waitForURL(/\/referrals\/[^/?]+$/, { timeout: 60_000 });
    const draftId = new URL(form.url()).pathname.split('/').pop()!;
    await statusOf(form).filter({ hasText: 'Draft' }).waitFor();
    // Nobody but its author sees a draft
    const early = await openSignedIn(browser, server, people.expert.id, `/referrals/${draftId}`);
    // The not-found page may still be streaming when the load event fires: wait for its words
    await early.getByText(/not found/i).first().waitFor({ timeout: 15_000 });
    assert.doesNotMatch(await early.locator('body').innerText(), /Follow-up: any new lesion/);
    await early.context().close();
    await form.getByRole('button', { name: 'Send', exact: true }).click();
    await statusOf(form).filter({ hasText: 'Requested' }).waitFor({ timeout: 15_000 });
    await form.getByTestId('due-time').waitFor();

    // Two tabs of the expert; the second hears nothing from the server (its socket is blocked), so it still shows "Requested"
    const live = await openSignedIn(browser, server, people.expert.id, `/referrals/${draftId}`);
    const staleContext = await browser.newContext({ viewport: DESKTOP });
    // Both ways a page's socket may go: the WebSocket it tries first, and the long-polling fallback
    await staleContext.routeWebSocket(/socket\.io/, (socket) => socket.close());
    await staleContext.route('**/socket.io/**', (route) => route.abort());
    await staleContext.addCookies(await live.context().cookies());
    const stale = await staleContext.newPage();
    await stale.goto(`${server.url}/referrals/${draftId}`);
    await stale.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="case-actions"] button')?.disabled);
    await live.getByRole('button', { name: 'Claim', exact: true }).click();
    await statusOf(live).filter({ hasText: 'Accepted' }).waitFor({ timeout: 15_000 });
    assert.equal(await statusOf(stale).innerText(), 'Requested');
    await stale.getByRole('button', { name: 'Claim', exact: true }).click();
    await stale.getByRole('alert').filter({ hasText: 'This case is no longer waiting to be claimed.' }).waitFor({ timeout: 15_000 });
    // …and then shows the case as it is
    await statusOf(stale).filter({ hasText: 'Accepted' }).waitFor({ timeout: 15_000 });
    await staleContext.close();
    await live.context().close();
    await form.context().close();
  });

  it('the case page fits a phone', async () => {
    for (const [userId, urlPath, name] of [
      [people.doctor.id, `/referrals/${caseId}`, 'referral-case-phone'],
      [people.doctor.id, `/referrals/new?study=${current.studyInstanceUid}`, 'referral-new-phone'],
    ] as const) {
      const phone = await openSignedIn(browser, server, userId, urlPath, PHONE);
      await phone.locator('main h1').waitFor();
      assert.deepEqual(await overflowingElements(phone), [], `${urlPath} at ${PHONE.width} px`);
      await screenshot(phone, name);
      await phone.context().close();
    }
    assert.ok(DESKTOP.width > PHONE.width);
  });

  it('an expert of the same hospital outside the service gets "not found" for the page and the API', async () => {
    const outsider = await openSignedIn(browser, server, people.outsider.id, '/');
    const page = await outsider.goto(`${server.url}/referrals/${caseId}`);
    assert.equal(page?.status(), 404);
    assert.doesNotMatch(await outsider.locator('body').innerText(), /Novak|MRN-SO-7|ischaemic/i);
    const api = await outsider.request.get(`${server.url}/api/referrals/${caseId}`);
    assert.equal(api.status(), 404);
    assert.doesNotMatch(await api.text(), /Novak|MRN-SO-7/);
    // Both attempts are recorded for the case's facility, the district clinic (through the audit queue: a moment later)
    let refused: string[] = [];
    for (let tries = 0; tries < 50 && refused.length < 2; tries++) {
      const rows = await server.node.db.auditEvent.findMany({ where: { actorUserId: people.outsider.id, action: 'referral.view', outcome: 'DENIED', facilityId: districtId }, select: { resource: true } });
      refused = rows.map((row) => row.resource ?? '').sort();
      if (refused.length < 2) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.deepEqual(refused, [`GET /api/referrals/${caseId}`, `referrals/${caseId}`]);
    // Nor its attachment, nor its studies
    const attachment = await server.node.db.referralAttachment.findFirstOrThrow({ where: { referralId: caseId }, select: { id: true } });
    assert.equal((await outsider.request.get(`${server.url}/api/referrals/${caseId}/attachments/${attachment.id}`)).status(), 404);
    assert.equal((await outsider.goto(`${server.url}/studies/${current.studyInstanceUid}`))?.status(), 404);
    await outsider.context().close();
  });
});
