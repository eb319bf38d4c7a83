// The data bridge in the portal (issue 18), built portal and real Chromium:
// a lab system nobody registered sends an ADT with python3-hl7's mllp_send and
// is refused (AR); the facility admin's HL7 tab shows the configured sender
// read-only and the refused message, registers the sender, opens the message
// (raw text and ACK, segment per line) and processes it again — the new ACK
// code shows. The worklist shows a procedure the RIS scheduled and that has no
// images yet; the patient page carries "Demographics from the HIS", the
// order and the merge history. Desktop and phone screenshots in
// test-output/e2e/hl7-*.png; nothing wider than the phone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, launchChromium } from '../support/browser';
import { freePort } from '../support/dcmtk';
import { frame } from '../../lib/hl7/mllp-framer';
import { openSignedIn, overflowingElements, PHONE, screenshot } from '../support/screens';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const run = promisify(execFile);
const skip = !existsSync(CHROMIUM) ? `Chromium not found at ${CHROMIUM}` : !existsSync('/usr/bin/mllp_send') ? 'needs python3-hl7 (mllp_send)' : false;

const ADT_FROM_LAB = [
  'MSH|^~\\&|LABSYS|WARD7|TELEPACS|TELEPACS|20261207083000||ADT^A04^ADT_A01|LAB-0001|P|2.5.1',
  'EVN|A04|20261207083000',
  'PID|1||MRN-7001^^^HOSP^MR||MEIER^ANNA^LUISE||19710402|F',
  'PV1|1|O',
].join('\r');

function today(offsetDays = 0): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
}

describe('the data bridge in the portal', { skip, timeout: 15 * 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let adminId = '';
  let home = '';
  let patientRef = '';
  let hl7Port = 0;
  let scratch = '';

  async function fits(page: Page) {
    assert.deepEqual(await overflowingElements(page), [], 'nothing wider than the phone');
  }

  before(async () => {
    hl7Port = await freePort();
    server = await startTestServer({ portal: true, env: { HL7_PORT: String(hl7Port), HL7_SENDERS: 'RIS^HOSP' } });
    const db = server.node.db;
    adminId = (await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } })).id;
    home = (await db.membership.findFirstOrThrow({ where: { userId: adminId } })).facilityId;
    // What the lead's ADT and order handlers write, inserted as rows: a patient the HIS registered, one
    // procedure scheduled for tomorrow, one record merged into this one
    const patient = await db.patient.create({
      data: { facilityId: home, patientId: 'MRN-4242', issuer: 'HOSP', name: 'KOWALSKA^MARIA', nameSearch: 'KOWALSKA MARIA', sex: 'F', birthDate: '19630517', demographicsSource: 'HIS', demographicsAt: new Date('2026-12-07T08:15:00Z') },
    });
    patientRef = patient.id;
    await db.imagingOrder.create({
      data: {
        facilityId: home,
        patientRef,
        placerOrderNumber: 'PO-77',
        fillerOrderNumber: 'FO-77',
        accessionNumber: 'ACC-20261208-01',
        requestedProcedureId: 'RP-77',
        requestedProcedureCode: 'CTCHEST',
        requestedProcedureText: 'CT Chest with contrast',
        studyInstanceUid: '2.25.1234567890123456789',
        stepId: 'SPS-77',
        modality: 'CT',
        stationAet: 'CT_SCANNER_1',
        stationName: 'CT Room 1',
        scheduledDate: today(1),
        scheduledTime: '143000',
      },
    });
    await db.patientMerge.create({
      data: { facilityId: home, survivingRef: patientRef, mergedRef: patientRef, mergedPatientId: 'MRN-0099', mergedIssuer: 'HOSP', mergedName: 'KOVALSKA^MARIA', studiesMoved: 2, source: 'HL7', mergedAt: new Date('2026-12-06T10:00:00Z') },
    });
    browser = await launchChromium();
    scratch = mkdtempSync(path.join(tmpdir(), 'hl7-e2e-'));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('the HL7 tab: senders, a refused message, Register, Details and Process again', async () => {
    // A real MLLP client (its --file holds MLLP-framed messages): refused (AR), the unknown sender's message stored
    const file = path.join(scratch, 'adt.hl7');
    writeFileSync(file, frame(ADT_FROM_LAB));
    const { stdout } = await run('mllp_send', ['--file', file, '-p', String(hl7Port), '127.0.0.1']);
    assert.match(stdout, /MSA\|AR\|LAB-0001/);

    const page = await openSignedIn(browser, server, adminId, `/admin/${home}/hl7`);
    await page.getByRole('heading', { name: 'Senders (1)' }).waitFor();
    assert.match(await page.locator('main > p').nth(1).innerText(), new RegExp(`port ${hl7Port}`));
    const configured = page.locator('tr[data-hl7-sender="RIS^HOSP"]');
    assert.match(await configured.innerText(), /from the configuration/);
    assert.match(await configured.innerText(), /Change it in HL7_SENDERS/);
    const refused = page.locator('tr[data-hl7-message="LAB-0001"]');
    assert.match(await refused.innerText(), /LABSYS\^WARD7[\s\S]*unknown sender when received[\s\S]*ADT\^A04[\s\S]*Rejected[\s\S]*AR sender LABSYS\^WARD7 is not registered here/);
    // The destination form: present, or said to be unavailable while the ORU route is not in this tree
    await page.getByTestId('hl7-destination').or(page.getByText('Sending reports over HL7 is not available on this server.')).waitFor();

    await page.getByLabel('Sending application (MSH-3)').fill('LABSYS');
    await page.getByLabel('Sending facility (MSH-4)').fill('WARD7');
    await page.getByLabel('Description (optional)').fill('Laboratory, ward 7');
    await page.getByRole('button', { name: 'Register sender' }).click();
    await page.getByText('LABSYS^WARD7 registered: its messages are now filed under this facility.').waitFor();
    await page.locator('tr[data-hl7-sender="LABSYS^WARD7"]').waitFor();
    // The same pair again: refused, said beside the field
    await page.getByLabel('Sending application (MSH-3)').fill('LABSYS');
    await page.getByLabel('Sending facility (MSH-4)').fill('WARD7');
    await page.getByRole('button', { name: 'Register sender' }).click();
    await page.getByRole('alert').filter({ hasText: 'LABSYS^WARD7 is already registered for this facility.' }).waitFor();
    await screenshot(page, 'hl7-admin');

    const phone = await openSignedIn(browser, server, adminId, `/admin/${home}/hl7`, PHONE);
    await phone.locator('tr[data-hl7-message="LAB-0001"]').waitFor();
    await fits(phone);
    await screenshot(phone, 'hl7-admin-phone');
    await phone.context().close();

    // The status filter: a GET form, its choice kept in the URL
    await page.getByLabel('Status').selectOption('PROCESSED');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('No message matches.').waitFor();
    await page.getByLabel('Status').selectOption('REJECTED');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(/status=REJECTED/);
    await refused.getByRole('link', { name: 'Details' }).click();
    await page.getByRole('heading', { name: 'Message as received' }).waitFor();
    assert.equal(await page.getByTestId('hl7-raw').innerText(), ADT_FROM_LAB.replaceAll('\r', '\n'));
    assert.match(await page.getByTestId('hl7-ack').innerText(), /^MSH\|\^~\\&\|TELEPACS\|[^\n]*\nMSA\|AR\|LAB-0001\|/);
    await page.getByRole('button', { name: 'Process again' }).click();
    // The A04 registers the patient now that its sender is known
    const outcome = await page.getByRole('status').filter({ hasText: 'New ACK:' }).innerText();
    assert.match(outcome, /^New ACK: AA/);
    const row = await server.node.db.hl7Message.findFirstOrThrow({ where: { controlId: 'LAB-0001' } });
    assert.equal(row.facilityId, home);
    assert.equal(row.attempts, 2);
    assert.ok(['PROCESSED', 'ERROR'].includes(row.status), row.status);
    await page.getByTestId('hl7-ack').filter({ hasText: new RegExp(`MSA\\|${row.ackCode}\\|LAB-0001`) }).waitFor();
    await screenshot(page, 'hl7-message');
    const phoneDetail = await openSignedIn(browser, server, adminId, `/admin/${home}/hl7/messages/${row.id}`, PHONE);
    await phoneDetail.getByTestId('hl7-raw').waitFor();
    await fits(phoneDetail);
    await screenshot(phoneDetail, 'hl7-message-phone');
    await phoneDetail.context().close();
    await page.context().close();
  });

  it('the worklist shows the scheduled procedure, the patient page the HIS badge, the order and the merge', async () => {
    const page = await openSignedIn(browser, server, adminId, '/');
    const scheduled = page.getByTestId('scheduled-order').filter({ hasText: 'ACC-20261208-01' });
    await scheduled.waitFor();
    const text = await scheduled.innerText();
    for (const shown of ['Kowalska', 'MRN-4242', 'CT Chest with contrast', 'CT', 'Station CT Room 1 · CT_SCANNER_1', 'Acc. ACC-20261208-01', 'Scheduled', '14:30']) {
      assert.ok(text.toLowerCase().includes(shown.toLowerCase()), `"${shown}" in ${JSON.stringify(text)}`);
    }
    assert.match(await page.getByRole('heading', { name: /Scheduled — not yet imaged/ }).innerText(), /1$/);
    await screenshot(page, 'hl7-worklist');
    // A filter that leaves the order out: no section
    await page.goto(`${server.url}/?modality=MR`);
    await page.getByRole('heading', { name: 'Worklist' }).waitFor();
    assert.equal(await page.getByTestId('scheduled-orders').count(), 0);

    const phone = await openSignedIn(browser, server, adminId, '/', PHONE);
    await phone.getByTestId('scheduled-order').waitFor();
    await fits(phone);
    await screenshot(phone, 'hl7-worklist-phone');
    await phone.context().close();

    await page.goto(`${server.url}/`);
    await scheduled.getByRole('link', { name: /Kowalska/i }).click();
    await page.getByTestId('his-badge').waitFor();
    assert.match(await page.getByRole('heading', { level: 1 }).innerText(), /Kowalska[\s\S]*Demographics from the HIS[\s\S]*2026-12-07 08:15 UTC/i);
    const order = await page.getByTestId('patient-orders').innerText();
    assert.match(order, /CT Chest with contrast · CT · Acc\. ACC-20261208-01[\s\S]*Scheduled/);
    const merges = await page.getByTestId('merge-history').innerText();
    assert.match(merges, /Kovalska[\s\S]*MRN-0099[\s\S]*merged into this record[\s\S]*2026-12-06 10:00 UTC · by the HIS \(ADT\^A40\) · 2 studies moved/i);
    await screenshot(page, 'hl7-patient');
    const phonePatient = await openSignedIn(browser, server, adminId, `/patients/${patientRef}`, PHONE);
    await phonePatient.getByTestId('his-badge').waitFor();
    await fits(phonePatient);
    await screenshot(phonePatient, 'hl7-patient-phone');
    await phonePatient.context().close();
    await page.context().close();
  });
});
