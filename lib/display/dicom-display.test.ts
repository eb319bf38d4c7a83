import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageOn, displayDate, displayName, displayTime, ideographicName } from './dicom-display';

describe('DICOM values for people', () => {
  it('shows names without carets, family name first', () => {
    assert.equal(displayName('MÜLLER^HANS'), 'MÜLLER, HANS');
    assert.equal(displayName('Smith^Jane^Q^Dr^Jr'), 'Smith, Dr Jane Q Jr');
    assert.equal(displayName('Yamada^Taro=山田^太郎=やまだ^たろう'), 'Yamada, Taro');
    assert.equal(displayName('=山田^太郎'), '山田, 太郎');
    assert.equal(displayName(''), '(no name)');
    assert.equal(ideographicName('Yamada^Taro=山田^太郎'), '山田 太郎');
  });

  it('shows dates, times and ages as a clinician says them', () => {
    assert.equal(displayDate('20240110'), '2024-01-10');
    assert.equal(displayTime('093012.5'), '09:30');
    assert.equal(ageOn('19800315', '20240110'), '43 y');
    assert.equal(ageOn('19800315', '20240315'), '44 y');
    assert.equal(ageOn('20230101', '20240110'), '12 mo');
    assert.equal(ageOn('20240101', '20240110'), '9 d');
    assert.equal(ageOn('', '20240110'), '');
    assert.equal(ageOn('20250101', '20240110'), '', 'born after the study: unknown, not negative');
  });
});
