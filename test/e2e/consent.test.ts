// Patient consent in real Chromium against a real portal, archive and
// database (issue 16): a referral to another facility's service is refused
// with the consent message, the typed form kept; "Record consent now" opens
// the signing screen with the service and purpose chosen; an empty signature
// box is refused beside the box; the patient signs with the mouse; back on the
// form the referral goes through, resting on that consent; the patient page
// shows the consent (its PDF opens) and the share. The expert of the other
// facility claims the case and opens the report page with the images; the
// clinician revokes the consent, and within a second the expert's open page
// shows that access has ended; the expert's next requests for the study find
// nothing. Screenshots (test-output/e2e/): the signing screen at tablet and
// phone width, the patient's consent panel with its share history; two are
// copied to docs/images/ for the README.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { openSignedIn, overflowingElements, PHONE, SCREENSHOTS, screenshot } from '../support/screens';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const TABLET = { width: 1024, height: 768 };
const QUESTION = 'Subdural collection on the right? Compare with the prior, please.';
const FORM_EN = 'I agree that my medical images and their reports may be shared with the doctors named on this form, for the purposes ticked, during the period shown.\n\nI may withdraw this consent at any time; sharing then stops at once.';
const FORM_FR = 'J’accepte que mes images médicales et leurs comptes rendus soient partagés avec les médecins nommés sur ce formulaire.\n\nJe peux retirer ce consentement à tout moment.';

/** A signature: three strokes with the mouse, as a person signs in the box */
async function signWithMouse(page: Page): Promise<void> {
  const box = (await page.getByLabel(/^Signature box/).boundingBox())!;
  const strokes = [
    [[0.1, 0.6], [0.15, 0.3], [0.2, 0.65], [0.25, 0.35], [0.3, 0.6]],
    [[0.35, 0.55], [0.42, 0.4], [0.5, 0.6], [0.58, 0.42], [0.64, 0.58]],
    [[0.68, 0.5], [0.75, 0.45], [0.85, 0.5], [0.9, 0.42]],
  ];
  for (const stroke of strokes) {
    const [start, ...rest] = stroke;
    await page.mouse.move(box.x + start[0] * box.width, box.y + start[1] * box.height);
    await page.mouse.down();
    for (const [x, y] of rest) await page.mouse.move(box.x + x * box.width, box.y + y * box.height, { steps: 6 });
    await page.mouse.up();
  }
}

describe('patient consent: refused share, signing on screen, revocation that ends the viewer at once', { skip, timeout: 20 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  const people = { doctor: { id: '', name: 'Dr Clara Clinic' }, expert: { id: '', name: 'Dr Nils Neuro' } };
  const current = makeStudy({ patientId: 'MRN-CONSENT-1', patientName: 'Moreau^Lucie', modality: 'CT', studyDescription: 'CT head trauma', studyDate: '20261205', series: 1, instancesPerSeries: 3, rows: 64, columns: 64, seed: 'consent-e2e-current' });
  let patientRef = '';
  let serviceId = '';
  let regionalId = '';
  let doctorPage: Page;
  let expertPage: Page;
  let caseId = '';

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    server = await startTestServer({ portal: true });
    browser = await launchChromium();
    const db = server.node.db;
    const district = await createFacility(db, 'District clinic');
    const regional = await createFacility(db, 'Regional hospital');
    regionalId = regional.id;
    people.doctor.id = (await createUser(db, { email: 'clara@district.example', name: people.doctor.name, memberships: [{ facilityId: district.id, role: 'REFERRING' }] })).id;
    people.expert.id = (await createUser(db, { email: 'nils@regional.example', name: people.expert.name, memberships: [{ facilityId: regional.id, role: 'EXPERT' }] })).id;
    serviceId = (await db.service.create({ data: { facilityId: regional.id, name: 'Neuroradiology' } })).id;
    await db.serviceMember.create({ data: { serviceId, userId: people.expert.id } });
    // The district's consent form, in two languages (the forms capability publishes these; here, rows as it writes them)
    await db.consentForm.create({ data: { facilityId: district.id, key: 'imaging-sharing', version: 2, language: 'en', title: 'Consent to share my imaging', body: FORM_EN } });
    await db.consentForm.create({ data: { facilityId: district.id, key: 'imaging-sharing', version: 1, language: 'fr', title: 'Consentement au partage de mes images', body: FORM_FR } });
    for (const file of current) await server.node.archive.ingest(file, { kind: 'import', source: 'e2e' }, district.id);
    patientRef = (await db.patient.findFirstOrThrow({ where: { patientId: 'MRN-CONSENT-1', facilityId: district.id } })).id;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a referral to another facility’s service is refused with the consent message, nothing shared, the form kept', async () => {
    doctorPage = await openSignedIn(browser, server, people.doctor.id, `/referrals/new?study=${current.studyInstanceUid}`, TABLET);
    await doctorPage.getByRole('heading', { name: 'Ask for a second opinion' }).waitFor();
    await doctorPage.waitForFunction(() => !document.querySelector<HTMLButtonElement>('button[value="send"]')?.disabled);
    await doctorPage.getByLabel('Clinical question (required)').fill(QUESTION);
    await doctorPage.getByLabel('Ask (a service or a named expert)').selectOption({ label: 'Neuroradiology (service, Regional hospital)' });
    await doctorPage.getByRole('button', { name: 'Send', exact: true }).click();

    const refusal = doctorPage.getByTestId('consent-required');
    await refusal.waitFor({ timeout: 15_000 });
    assert.match(await refusal.innerText(), /consent/i);
    assert.match(await refusal.innerText(), /Neuroradiology/);
    assert.equal(await doctorPage.getByLabel('Clinical question (required)').inputValue(), QUESTION, 'the typed question stays');
    assert.equal(await server.node.db.referral.count({ where: { status: { not: 'DRAFT' } } }), 0);
    assert.equal(await server.node.db.accessGrant.count({ where: { revokedAt: null, granteeServiceId: serviceId } }), 0, 'nothing was shared');
    assert.equal(await refusal.getByTestId('emergency-override').count(), 1, 'the emergency override is offered');
    assert.equal(await refusal.getByTestId('emergency-override').getByRole('button', { name: 'Emergency override' }).count(), 1, 'as the break-glass dialog, in the form');
  });

  it('the signing screen opens with the service and purpose chosen; an empty box is refused beside it; the patient signs', async () => {
    await doctorPage.getByRole('link', { name: 'Record consent now' }).click();
    await doctorPage.waitForURL(`**/patients/${patientRef}/consent/new?**`);
    await doctorPage.getByRole('heading', { name: 'Consent to share imaging' }).waitFor();
    assert.equal(await doctorPage.getByLabel('A service').isChecked(), true);
    assert.equal(await doctorPage.getByLabel('Service', { exact: true }).inputValue(), serviceId);
    assert.equal(await doctorPage.getByLabel('Second opinion').isChecked(), true);
    assert.equal(await doctorPage.getByLabel('Research').isChecked(), false);
    // The facility's form, newest version, in the language chosen
    const formText = doctorPage.getByTestId('consent-form-text');
    assert.match(await formText.innerText(), /I agree that my medical images/);
    assert.match(await formText.innerText(), /version 2 \(en\)/);
    await doctorPage.getByLabel('Language of the form').selectOption({ label: 'Français' });
    await formText.filter({ hasText: 'J’accepte que mes images' }).waitFor();
    await doctorPage.getByLabel('Language of the form').selectOption({ label: 'English' });
    await doctorPage.getByLabel('Witness’s name').fill('Nurse Paul Martin');

    // Saved without signing: the server's refusal shows by the box, nothing stored
    await doctorPage.getByRole('button', { name: 'Save the signed consent' }).click();
    const signatureError = doctorPage.locator('#signature-error');
    await signatureError.waitFor({ timeout: 15_000 });
    assert.match(await signatureError.innerText(), /Sign in the box|signature/i);
    assert.equal(await server.node.db.consent.count(), 0);

    await signWithMouse(doctorPage);
    assert.equal(await doctorPage.getByLabel(/^Signature box/).getAttribute('data-signed'), 'true');
    assert.equal(await signatureError.count(), 0, 'the message goes once the patient signs');
    await screenshot(doctorPage, 'consent-signing-tablet');

    // The same screen on a phone: nothing wider than the screen
    const phone = await openSignedIn(browser, server, people.doctor.id, new URL(doctorPage.url()).pathname + new URL(doctorPage.url()).search, PHONE);
    await phone.getByRole('heading', { name: 'Consent to share imaging' }).waitFor();
    await phone.getByLabel('Witness’s name').fill('Nurse Paul Martin');
    await signWithMouse(phone);
    assert.deepEqual(await overflowingElements(phone), []);
    await screenshot(phone, 'consent-signing-phone');
    await phone.context().close();

    await doctorPage.getByRole('button', { name: 'Save the signed consent' }).click();
    // Back on the refused form, as it was typed
    await doctorPage.waitForURL(`**/referrals/new?study=${current.studyInstanceUid}`, { timeout: 60_000 });
    await doctorPage.waitForFunction((question) => document.querySelector<HTMLTextAreaElement>('textarea')?.value === question, QUESTION);
    const consent = await server.node.db.consent.findFirstOrThrow({ where: { patientRef } });
    assert.equal(consent.decision, 'PERMIT');
    assert.equal(consent.recipientKind, 'SERVICE');
    assert.equal(consent.recipientServiceId, serviceId);
    assert.equal(consent.evidenceKind, 'SIGNED');
    assert.equal(consent.witnessName, 'Nurse Paul Martin');
    assert.equal(consent.signerName, 'Moreau, Lucie');
    assert.notEqual(consent.documentKey, null, 'the signed form is kept as a PDF');
  });

  it('the referral now goes through, resting on the consent; the patient page shows the consent, its PDF and the share', async () => {
    await doctorPage.waitForFunction(() => !document.querySelector<HTMLButtonElement>('button[value="send"]')?.disabled);
    assert.equal(await doctorPage.getByLabel('Ask (a service or a named expert)').inputValue(), `service:${serviceId}`);
    await doctorPage.getByRole('button', { name: 'Send', exact: true }).click();
    await doctorPage.waitForURL(/\/referrals\/[^/?]+$/, { timeout: 60_000 });
    caseId = new URL(doctorPage.url()).pathname.split('/').pop()!;
    const consent = await server.node.db.consent.findFirstOrThrow({ where: { patientRef } });
    const grant = await server.node.db.accessGrant.findFirstOrThrow({ where: { granteeServiceId: serviceId, revokedAt: null } });
    assert.equal(grant.legalBasis, 'CONSENT');
    assert.equal(grant.consentId, consent.id);

    await doctorPage.goto(`${server.url}/patients/${patientRef}`);
    assert.equal(await doctorPage.getByTestId('consent-status').innerText(), 'Consent to share: 1 active permit');
    const item = doctorPage.getByTestId('consent');
    assert.match(await item.innerText(), /Permits sharing/);
    assert.match(await item.innerText(), /Neuroradiology, Regional hospital/);
    assert.match(await item.innerText(), /Signed on screen, by Moreau, Lucie, witness Nurse Paul Martin/);
    const pdf = await doctorPage.request.get(new URL((await item.getByRole('link', { name: 'Consent PDF' }).getAttribute('href'))!, server.url).toString());
    assert.equal(pdf.status(), 200);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    const history = doctorPage.getByTestId('share-history');
    assert.match(await history.innerText(), /Neuroradiology, Regional hospital/);
    assert.match(await history.innerText(), /Consent recorded/);
  });

  it('the expert claims the case and reads the images; the consent is revoked and the open report page loses them within a second', async () => {
    expertPage = await openSignedIn(browser, server, people.expert.id, `/referrals/${caseId}`);
    await expertPage.getByRole('button', { name: 'Claim', exact: true }).click();
    await expertPage.getByTestId('status').filter({ hasText: 'Accepted' }).waitFor({ timeout: 15_000 });
    await expertPage.getByRole('link', { name: 'Write report' }).click();
    await expertPage.waitForURL(`**/studies/${current.studyInstanceUid}/report?referral=${caseId}`);
    await expertPage.getByLabel('Template').selectOption({ label: 'CT head' });
    await expertPage.getByRole('button', { name: 'Start report' }).click();
    await expertPage.getByTestId('image-index-0').filter({ hasText: 'Im 1/3' }).waitFor({ timeout: 60_000 });
    // The page listens (the header's /realtime socket) before anything changes
    await expertPage.waitForFunction(() => document.documentElement.getAttribute('data-referral-events') === 'connected', null, { timeout: 20_000 });
    const metadataPath = `${server.url}/dicomweb/studies/${current.studyInstanceUid}/metadata`;
    assert.equal((await expertPage.request.get(metadataPath)).status(), 200, 'the expert reads the study through the case');

    await doctorPage.getByRole('button', { name: /^Revoke:/ }).click();
    await doctorPage.getByLabel('Reason for revoking').fill('The patient withdrew consent by phone');
    const revoked = doctorPage.waitForResponse((response) => response.url().endsWith('/revoke') && response.request().method() === 'POST');
    await doctorPage.getByRole('button', { name: 'Revoke consent' }).click();
    const answer = await revoked;
    assert.equal(answer.status(), 200);
    const answeredAt = Date.now();
    const ended = expertPage.getByTestId('access-ended');
    await ended.waitFor({ timeout: 5_000 });
    const within = Date.now() - answeredAt;
    assert.ok(within <= 1_000, `the viewer went ${within} ms after the revocation answered`);
    assert.match(await ended.innerText(), /Access to this study has ended: The patient revoked their consent/);
    assert.equal(await expertPage.getByTestId('report-viewport').count(), 0, 'the viewer is gone');

    // The expert's next requests: nothing there
    assert.equal((await expertPage.request.get(metadataPath)).status(), 404);
    const search = await expertPage.request.get(`${server.url}/dicomweb/studies?StudyInstanceUID=${current.studyInstanceUid}`);
    assert.ok(search.status() === 204 || (search.status() === 200 && ((await search.json()) as unknown[]).length === 0), `QIDO answered ${search.status()}`);
  });

  it('the patient page shows the consent revoked and the share ended, on a desktop and a phone', async () => {
    await doctorPage.waitForURL(`**/patients/${patientRef}`);
    await doctorPage.getByTestId('consent').filter({ hasText: 'Revoked' }).waitFor({ timeout: 15_000 });
    assert.match(await doctorPage.getByTestId('consent-status').innerText(), /No consent recorded/);
    assert.match(await doctorPage.getByTestId('consent').innerText(), /The patient withdrew consent by phone/);
    const history = doctorPage.getByTestId('share-history');
    assert.match(await history.innerText(), /Ended .*the patient revoked their consent/);
    await doctorPage.setViewportSize({ width: 1280, height: 900 });
    await screenshot(doctorPage, 'consent-history');

    const phone = await openSignedIn(browser, server, people.doctor.id, `/patients/${patientRef}`, PHONE);
    await phone.getByTestId('share-history').waitFor();
    assert.deepEqual(await overflowingElements(phone), []);
    await screenshot(phone, 'consent-history-phone');
    await phone.context().close();

    mkdirSync(path.resolve('docs/images'), { recursive: true });
    copyFileSync(path.join(SCREENSHOTS, 'consent-signing-tablet.png'), path.resolve('docs/images/consent-signing.png'));
    copyFileSync(path.join(SCREENSHOTS, 'consent-history.png'), path.resolve('docs/images/consent-history.png'));
    assert.ok(regionalId);
  });
});
