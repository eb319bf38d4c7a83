// Break-glass in the built portal with real Chromium (issue 16): a clinician of
// Hill Clinic opens the hospital's images of their patient through
// POST /api/emergency-overrides (as the dialog posts it), the study page and
// the patient page show the red banner, and the hospital's privacy officer
// finds it in the review queue (straight from /admin) and marks it not
// justified with a comment. Screenshots: test-output/e2e/emergency-override-*.png.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { hashPassword } from '../../lib/auth';
import { createFacility, createUser } from '../../lib/policy/test-fixtures';
import { CHROMIUM, launchChromium } from '../support/browser';
import { makeStudy } from '../support/fixtures';
import { openSignedIn, screenshot } from '../support/screens';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (apt-get install chromium)`;
const PASSWORD = 'break the glass in a browser';
const REGION = 'REGION';

describe('emergency override in the portal', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let hospital = '';
  let recordLenaHill = '';
  const ids = { doctor: '', privacy: '' };
  const lenaCt = makeStudy({ series: 1, instancesPerSeries: 1, seed: 'override-e2e-a', patientId: 'R-300', issuerOfPatientId: REGION, patientName: 'Glass^Lena', studyDescription: 'CT HEAD', accessionNumber: 'OE-1' });
  const lenaAtHill = makeStudy({
    series: 1,
    instancesPerSeries: 1,
    seed: 'override-e2e-b',
    patientId: 'CL-30',
    issuerOfPatientId: 'CLINIC',
    otherPatientIds: [{ patientId: 'R-300', issuerOfPatientId: REGION }],
    patientName: 'Glass^Lena',
    studyDescription: 'XR CHEST',
    accessionNumber: 'OE-2',
  });

  before(async () => {
    server = await startTestServer({ portal: true, env: { REGION_PATIENT_ID_ISSUER: REGION } });
    const db = server.node.db;
    hospital = server.node.firstRun.facilityId;
    const hill = (await createFacility(db, 'Hill Clinic')).id;
    for (const file of lenaCt) await server.node.archive.ingest(file, { kind: 'import', source: 'override-e2e' }, hospital);
    for (const file of lenaAtHill) await server.node.archive.ingest(file, { kind: 'import', source: 'override-e2e' }, hill);
    recordLenaHill = (await db.patient.findFirstOrThrow({ where: { facilityId: hill, patientId: 'CL-30' } })).id;
    const passwordHash = await hashPassword(PASSWORD);
    ids.doctor = (await createUser(db, { email: 'doctor@hill.example', name: 'Dr Hill', passwordHash, memberships: [{ facilityId: hill, role: 'EMERGENCY' }] })).id;
    ids.privacy = (await createUser(db, { email: 'privacy@hospital.example', name: 'Pia Privacy', passwordHash, memberships: [{ facilityId: hospital, role: 'PRIVACY_OFFICER' }] })).id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows the images in red to the clinician, and puts the override in the privacy officer’s queue', async () => {
    const doctor = await openSignedIn(browser, server, ids.doctor, `/studies/${lenaCt.studyInstanceUid}`);
    await doctor.getByRole('heading', { name: 'Not found', exact: true }).waitFor();
    const declared = await doctor.request.post(`${server.url}/api/emergency-overrides`, {
      headers: { origin: server.url },
      data: { patientRef: recordLenaHill, reasonCode: 'LIFE_THREATENING', reasonText: 'Polytrauma', password: PASSWORD, hours: 2 },
    });
    assert.equal(declared.status(), 201, await declared.text());
    const { id, grants } = (await declared.json()) as { id: string; grants: number };
    assert.equal(grants, 1);
    const wrong = await doctor.request.post(`${server.url}/api/emergency-overrides`, { headers: { origin: server.url }, data: { patientRef: recordLenaHill, reasonCode: 'UNCONSCIOUS', password: 'nope' } });
    assert.equal(wrong.status(), 400);
    assert.deepEqual(((await wrong.json()) as { fields: unknown }).fields, { password: 'That is not your password' });

    await doctor.goto(`${server.url}/studies/${lenaCt.studyInstanceUid}`);
    const banner = doctor.locator('[data-emergency-override]');
    await banner.waitFor();
    assert.match((await banner.textContent()) ?? '', /Emergency access — no consent\. Opened by Dr Hill for Life-threatening emergency \(Polytrauma\), ends at \d\d:\d\d UTC\. Every access is recorded\./);
    assert.equal(await banner.evaluate((element) => getComputedStyle(element).backgroundColor), 'rgb(164, 22, 26)', 'red');
    await screenshot(doctor, 'emergency-override-study');
    await doctor.goto(`${server.url}/patients/${recordLenaHill}`);
    await doctor.locator('[data-emergency-override]').waitFor();
    await doctor.getByRole('link', { name: 'CT HEAD' }).waitFor();

    const officer = await openSignedIn(browser, server, ids.privacy, '/admin');
    await officer.waitForURL(`**/admin/${hospital}/emergency-access`);
    assert.deepEqual(await officer.locator('nav[aria-label="Administration"] a').allTextContents(), ['Emergency access'], 'the only tab of a privacy officer');
    const row = officer.locator(`[data-override-id="${id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /Dr Hill.*opened.*Glass.*Life-threatening emergency \(Polytrauma\).*1 study/s);
    await screenshot(officer, 'emergency-override-queue');
    await row.getByLabel('Not justified').check();
    await row.getByRole('button', { name: 'Save review' }).click();
    await row.getByText('Say why it was not justified').waitFor();
    await row.getByLabel('Comment').fill('The patient could have consented.');
    await row.getByRole('button', { name: 'Save review' }).click();
    await officer.getByText('Nothing waits for review.').waitFor();
    await officer.goto(`${server.url}/admin/${hospital}/emergency-access?state=all`);
    await officer.locator(`[data-override-id="${id}"][data-review-status="NOT_JUSTIFIED"]`).getByText('Not justified by Pia Privacy', { exact: false }).waitFor();
  });
});
