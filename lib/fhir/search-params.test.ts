import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayName, identifierSystemOf } from './patient-reference';
import { issuerMatches, parseToken, readSearchParams, referenceId, studyUidOf } from './search-params';

describe('FHIR search parameters', () => {
  it('reads token values in their three forms and matches them against the issuer', () => {
    assert.deepEqual(parseToken('123'), { system: undefined, value: '123' });
    assert.deepEqual(parseToken('|123'), { system: '', value: '123' });
    assert.deepEqual(parseToken('urn:oid:1.2|123'), { system: 'urn:oid:1.2', value: '123' });
    assert.throws(() => parseToken('urn:x|'), /give a value/);
    assert.equal(issuerMatches(parseToken('|123'), ''), true);
    assert.equal(issuerMatches(parseToken('|123'), 'HOSP'), false);
    assert.equal(issuerMatches(parseToken('urn:telepacs:issuer:HOSP%20A|123'), 'HOSP A'), true);
    assert.equal(issuerMatches(parseToken('HOSP A|123'), 'HOSP A'), true, 'the bare issuer too');
    assert.equal(issuerMatches(parseToken('urn:oid:1.2.840.99|123'), '1.2.840.99'), true, 'an OID issuer as urn:oid:');
    assert.equal(issuerMatches(parseToken('urn:telepacs:issuer:1.2.840.99|123'), '1.2.840.99'), true);
    assert.equal(issuerMatches(parseToken('urn:oid:1.2.840.99|123'), '1.2.840.9'), false);
    assert.equal(issuerMatches(parseToken('urn:oid:HOSP|123'), 'HOSP'), false, 'not an OID');
    assert.equal(identifierSystemOf('urn:oid:1.2.3'), 'urn:oid:1.2.3');
    assert.equal(identifierSystemOf(''), undefined);
  });

  it('refuses unknown, repeated and empty parameters, and malformed references and UIDs', () => {
    assert.throws(() => readSearchParams(new URLSearchParams('code=1'), ['status']), /Unknown search parameter "code"/);
    assert.throws(() => readSearchParams(new URLSearchParams('status=final&status=amended'), ['status']), /once/);
    assert.throws(() => readSearchParams(new URLSearchParams('status='), ['status']), /empty/);
    assert.deepEqual([...readSearchParams(new URLSearchParams('status=final&_format=json'), ['status'])], [['status', 'final']]);
    assert.equal(referenceId('Patient/abc-1', 'Patient', 'subject'), 'abc-1');
    assert.throws(() => referenceId('Group/abc', 'Patient', 'subject'), /Patient\/<id>/);
    assert.equal(studyUidOf('urn:dicom:uid|urn:oid:1.2.3', 'identifier'), '1.2.3');
    assert.equal(studyUidOf('1.2.3', 'identifier'), '1.2.3');
    assert.throws(() => studyUidOf('urn:other|1.2.3', 'identifier'), /urn:dicom:uid/);
    assert.throws(() => studyUidOf('1.2.x', 'identifier'), /DICOM UID/);
  });

  it('shows a DICOM person name as people read it, in any script', () => {
    assert.equal(displayName('Иванов^Иван'), 'Иван Иванов');
    assert.equal(displayName('Dvořák^Antonín^^Dr.'), 'Dr. Antonín Dvořák');
    assert.equal(displayName('Yamada^Tarou=山田^太郎'), 'Tarou Yamada');
  });
});
