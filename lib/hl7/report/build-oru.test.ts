// The ORU^R01 as text: structure a RIS parser relies on, and values that can
// never break it (read back with our own HL7 reader; the integration test
// reads it with python-hl7).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHl7 } from '../hl7-message';
import { buildOru, hl7Instant, xpn, type OruInput } from './build-oru';

const input: OruInput = {
  controlId: 'a1b2c3d4e5f6a7b8c9d0',
  now: new Date('2026-12-07T06:43:27.123Z'),
  sendingApplication: 'TELEPACS',
  sendingFacility: 'NORTH',
  receivingApplication: 'RIS',
  receivingFacility: 'HOSPITAL',
  patient: { patientId: 'MRN|1', issuer: 'HOSP&X', name: 'Öberg^Åsa^^Dr^PhD', sex: 'F', birthDate: '19700101' },
  order: null,
  study: { description: 'CT Head', studyDate: '20261206', studyTime: '101500.123456', accessionNumber: 'A^1' },
  resultStatus: 'F',
  signedAt: new Date('2026-12-07T06:40:00Z'),
  signerName: 'Anna Berg',
  reason: null,
  sections: [{ code: { value: '59776-5', scheme: 'LN', meaning: 'Findings' }, title: 'Findings', text: '\n a | b ^ c & d ~ e \\ f \r\nsecond line  \n\n' }],
  link: null,
  pdf: null,
};

describe('buildOru', () => {
  it('writes every value so that a reader gets it back unchanged', () => {
    const text = buildOru(input);
    assert.ok(text.endsWith('\r'));
    const oru = parseHl7(text);
    assert.deepEqual(oru.header, {
      ...oru.header,
      sendingApplication: 'TELEPACS',
      sendingFacility: 'NORTH',
      receivingApplication: 'RIS',
      receivingFacility: 'HOSPITAL',
      messageType: 'ORU',
      triggerEvent: 'R01',
      structure: 'ORU_R01',
      controlId: input.controlId,
      processingId: 'P',
      version: '2.5.1',
      characterSet: 'UNICODE UTF-8',
    });
    assert.equal(oru.value('PID', 3), 'MRN|1');
    assert.equal(oru.value('PID', 3, { component: 4 }), 'HOSP&X');
    assert.equal(oru.value('PID', 3, { component: 5 }), 'MR');
    assert.equal(oru.value('OBR', 18), 'A^1');
    assert.equal(oru.value('OBR', 7), '20261206101500', 'fractions of a second left out');
    assert.equal(oru.value('OBR', 4, { component: 2 }), 'CT Head', 'no order: the study description');
    const lines = oru.segments('OBX').map((obx) => oru.value(obx, 5));
    // (our reader trims values; the leading space is sent, as the integration test reads with python-hl7)
    assert.deepEqual(lines, ['Findings:', 'a | b ^ c & d ~ e \\ f', 'second line']);
    assert.equal(text.split('\r').filter((segment) => segment.startsWith('OBX')).length, 3, 'line breaks never split a segment');
  });

  it('turns a DICOM person name into an XPN (suffix before prefix)', () => {
    assert.equal(xpn('Öberg^Åsa^^Dr^PhD'), 'Öberg^Åsa^^PhD^Dr');
    assert.equal(xpn('Doe^John'), 'Doe^John');
    assert.equal(xpn('Yamada^Tarou=山田^太郎'), 'Yamada^Tarou', 'the alphabetic group');
    assert.equal(xpn(''), '');
  });

  it('sends a correction as C with its reason first, the link and the PDF', () => {
    const oru = parseHl7(buildOru({ ...input, resultStatus: 'C', reason: 'Side corrected', link: 'https://pacs.example/studies/1.2/report?version=2&x=1', pdf: Buffer.from('%PDF-1.7 test') }));
    assert.equal(oru.value('OBR', 25), 'C');
    const [reason, ...rest] = oru.segments('OBX');
    assert.equal(oru.value(reason, 5), 'Side corrected');
    assert.ok([reason, ...rest].every((obx) => oru.value(obx, 11) === 'C'));
    const rp = rest.find((obx) => oru.value(obx, 2) === 'RP')!;
    assert.equal(oru.value(rp, 5), 'https://pacs.example/studies/1.2/report?version=2&x=1');
    const ed = rest.find((obx) => oru.value(obx, 2) === 'ED')!;
    assert.equal(Buffer.from(oru.value(ed, 5, { component: 5 }), 'base64').toString(), '%PDF-1.7 test');
  });

  it('writes instants in UTC with their offset', () => {
    assert.equal(hl7Instant(new Date('2026-12-07T06:43:27.999Z')), '20261207064327+0000');
  });
});
