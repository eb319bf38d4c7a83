import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArchiveError } from '../errors';
import { birthDateRangeForAge } from './match-sql';
import { parseQidoQuery } from './parse-qido-query';
import type { QueryLevel } from './query-attributes';

function parse(queryString: string, level: QueryLevel = 'study') {
  return parseQidoQuery(level, new URLSearchParams(queryString));
}

function rejects(queryString: string, reason: RegExp, level: QueryLevel = 'study'): void {
  assert.throws(
    () => parse(queryString, level),
    (error: unknown) => error instanceof ArchiveError && error.code === 'BAD_REQUEST' && reason.test(error.message),
    `expected 400 matching ${reason} for "${queryString}"`,
  );
}

describe('parseQidoQuery', () => {
  it('names attributes by keyword or tag and classifies each match', () => {
    const query = parse('PatientName=Doe*&00100020=123&StudyDate=20200101-20201231&StudyInstanceUID=1.2.3\\1.2.4&AccessionNumber=');
    assert.deepEqual(query.matches.get('00100010')?.match, { kind: 'wildcard', pattern: 'Doe*' });
    assert.equal(query.matches.get('00100020')?.keyword, 'PatientID');
    assert.deepEqual(query.matches.get('00100020')?.match, { kind: 'single', value: '123' });
    assert.deepEqual(query.matches.get('00080020')?.match, { kind: 'range', from: '20200101', to: '20201231' });
    assert.deepEqual(query.matches.get('0020000D')?.match, { kind: 'list', values: ['1.2.3', '1.2.4'] });
    assert.deepEqual(query.matches.get('00080050')?.match, { kind: 'universal' });
  });

  it('reads open-ended ranges and control parameters', () => {
    const query = parse('StudyDate=-20201231&PatientBirthDate=19500101-&limit=25&offset=50&fuzzymatching=true&includefield=00081030,SeriesDescription&includefield=PatientAge');
    assert.deepEqual(query.matches.get('00080020')?.match, { kind: 'range', from: null, to: '20201231' });
    assert.deepEqual(query.matches.get('00100030')?.match, { kind: 'range', from: '19500101', to: null });
    assert.equal(query.limit, 25);
    assert.equal(query.offset, 50);
    assert.equal(query.fuzzyMatching, true);
    assert.deepEqual(query.includeFields !== 'all' && query.includeFields.map((a) => a.keyword), ['StudyDescription', 'SeriesDescription', 'PatientAge']);
    assert.equal(parse('includefield=all&includefield=PatientAge').includeFields, 'all');
  });

  it('rejects bad parameters with a precise reason', () => {
    rejects('PatientNmae=Doe', /unknown attribute "PatientNmae"/);
    rejects('00991234x=1', /unknown attribute/);
    rejects('StudyDate=20201301', /not a valid DA value/);
    rejects('StudyDate=2020-01-01', /not a range/);
    rejects('StudyDate=20201231-20200101', /after its end/);
    rejects('StudyTime=25h', /not a valid TM value/);
    rejects('limit=0', /limit must be a positive integer/);
    rejects('limit=ten', /limit must be a positive integer/);
    rejects('limit=-5', /limit must be a positive integer/);
    rejects('offset=-1', /offset must be a non-negative integer/);
    rejects('limit=1&limit=2', /limit may be given only once/);
    rejects('fuzzymatching=yes', /fuzzymatching must be "true" or "false"/);
    rejects('StudyInstanceUID=1.2.abc', /not a valid UID/);
    rejects('includefield=NoSuchThing', /unknown attribute "NoSuchThing"/);
    rejects('PatientID=1&PatientID=2', /given 2 times/);
    rejects('PatientID=1&00100020=2', /given twice/);
    rejects('PatientWeight=70', /matching on PatientWeight .* is not supported/);
    rejects('SOPInstanceUID=1.2.3', /instance-level attribute .* study search/);
    rejects('SeriesNumber=one', /not an integer/, 'series');
    rejects('PatientAge=40', /not a valid AS value/);
  });

  it('lets series and instance searches match on parent-level attributes', () => {
    assert.equal(parse('PatientID=1&Modality=CT', 'series').matches.size, 2);
    assert.equal(parse('StudyDate=20200101&Modality=CT&SOPClassUID=1.2.840.10008.5.1.4.1.1.2', 'instance').matches.size, 3);
  });

  it('accepts the accept and charset parameters of PS3.18 8.3.3.1 without treating them as keys', () => {
    assert.equal(parse('accept=application/dicom%2Bjson&charset=utf-8').matches.size, 0);
  });
});

describe('birthDateRangeForAge', () => {
  it('turns an age range into the birth dates of people that old today', () => {
    const today = new Date(Date.UTC(2025, 0, 1));
    // aged 30..40 on 2025-01-01: born 1984-01-02 .. 1995-01-01
    assert.deepEqual(birthDateRangeForAge('030Y', '040Y', today), { from: '19840102', to: '19950101' });
    assert.deepEqual(birthDateRangeForAge(null, '001Y', today), { from: '20230102', to: null });
    assert.deepEqual(birthDateRangeForAge('006M', null, today), { from: null, to: '20240701' });
  });
});
