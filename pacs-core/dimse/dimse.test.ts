// Unit tests of the DIMSE building blocks: negotiation, the Part 10 header we
// put in front of received datasets, identifiers → the shared query model,
// and the one error → DIMSE status mapper.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArchiveError, toDimseStatus } from '../errors';
import { parseInstance } from '../dicom/parse-instance';
import { EXPLICIT_LE, IMPLICIT_LE, IMPLEMENTATION_CLASS_UID, QR_MODEL, VERIFICATION_SOP_CLASS } from './constants';
import { buildIndexQuery, identifierKeys, keyText, retrieveLevelOf } from './identifier';
import { decidePresentationContext, isStorageSopClass } from './negotiation';
import { buildPart10Header, datasetOffset } from './part10-header';
import { makeInstance } from '../../test/support/fixtures';

const CT = '1.2.840.10008.5.1.4.1.1.2';
const JPEG_LS = '1.2.840.10008.1.2.4.80';

describe('presentation context negotiation', () => {
  it('accepts a storage SOP class in the first proposed syntax we can store, compressed included', () => {
    assert.deepEqual(decidePresentationContext(CT, [JPEG_LS, EXPLICIT_LE]), { accept: true, transferSyntaxUid: JPEG_LS });
    assert.deepEqual(decidePresentationContext(CT, ['1.2.3.4.5', IMPLICIT_LE]), { accept: true, transferSyntaxUid: IMPLICIT_LE });
  });

  it('accepts private (vendor) SOP classes as storage, but not unknown standard services', () => {
    assert.equal(isStorageSopClass('1.3.12.2.1107.5.9.1'), true);
    assert.equal(isStorageSopClass('1.2.840.10008.5.1.1.1'), false); // Basic Film Session (print)
    assert.deepEqual(decidePresentationContext('1.2.840.10008.5.1.1.1', [IMPLICIT_LE]), { accept: false, reason: 'abstract-syntax-not-supported' });
  });

  it('takes queries and echoes only in uncompressed little endian, explicit preferred', () => {
    assert.deepEqual(decidePresentationContext(QR_MODEL.STUDY_ROOT_FIND, [IMPLICIT_LE, EXPLICIT_LE]), { accept: true, transferSyntaxUid: EXPLICIT_LE });
    assert.deepEqual(decidePresentationContext(VERIFICATION_SOP_CLASS, [JPEG_LS]), { accept: false, reason: 'transfer-syntaxes-not-supported' });
  });
});

describe('Part 10 header for a received dataset', () => {
  it('makes a file our own parser reads, with the negotiated syntax and the command UIDs', () => {
    const source = makeInstance({ seed: 'dimse-unit' });
    const dataset = source.subarray(datasetOffset(source));
    const parsedSource = parseInstance(source);
    const header = buildPart10Header({ sopClassUid: parsedSource.sopClassUid, sopInstanceUid: parsedSource.sopInstanceUid, transferSyntaxUid: EXPLICIT_LE, sourceAeTitle: 'CT1' });
    const file = Buffer.concat([header, dataset]);
    assert.equal(datasetOffset(file), header.length);
    // (0002,0000) is the byte length of the rest of the group
    assert.equal(file.readUInt32LE(140), header.length - 144);
    const parsed = parseInstance(file);
    assert.equal(parsed.transferSyntaxUid, EXPLICIT_LE);
    assert.equal(parsed.sopInstanceUid, parsedSource.sopInstanceUid);
    assert.ok(header.includes(Buffer.from(IMPLEMENTATION_CLASS_UID)));
    // Every value has even length (PS3.5 7.1.1): odd UIDs get a NUL, odd texts a space
    assert.ok(header.includes(Buffer.from('CT1 ')));
  });
});

describe('C-FIND identifiers', () => {
  it('joins multiple values with a backslash and PN groups with "="', () => {
    assert.equal(keyText(['1.2.3', '1.2.4']), '1.2.3\\1.2.4');
    assert.equal(keyText([{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎' }]), 'Yamada^Tarou=山田^太郎');
    assert.equal(keyText(null), '');
    assert.equal(keyText(12), '12');
  });

  it('builds the shared query model: matchable keys match, optional ones are only returned', () => {
    const { keys, wantsRetrieveAeTitle } = identifierKeys({
      _vrMap: {},
      QueryRetrieveLevel: 'STUDY',
      SpecificCharacterSet: 'ISO_IR 100',
      PatientName: [{ Alphabetic: 'DOE*' }],
      StudyDate: '20240101-20241231',
      PatientComments: 'not matchable',
      RetrieveAETitle: '',
    });
    assert.equal(wantsRetrieveAeTitle, true);
    const query = buildIndexQuery('STUDY', keys, { limit: 10, offset: 0 });
    assert.equal(query.level, 'study');
    assert.deepEqual(query.matches.get('00100010')?.match, { kind: 'wildcard', pattern: 'DOE*' });
    assert.deepEqual(query.matches.get('00080020')?.match, { kind: 'range', from: '20240101', to: '20241231' });
    assert.deepEqual(query.matches.get('00104000')?.match, { kind: 'universal' });
    assert.equal(query.matches.has('00080052'), false, 'QueryRetrieveLevel is not a key');
  });

  it('refuses a PATIENT level in the study root model and an invalid date', () => {
    assert.throws(() => retrieveLevelOf({ QueryRetrieveLevel: 'PATIENT' }, 'study'), (error: unknown) => error instanceof ArchiveError && error.code === 'BAD_REQUEST');
    assert.equal(retrieveLevelOf({ QueryRetrieveLevel: 'PATIENT' }, 'patient'), 'PATIENT');
    const { keys } = identifierKeys({ StudyDate: '2024-13-45' });
    assert.throws(() => buildIndexQuery('STUDY', keys, { limit: 10, offset: 0 }), (error: unknown) => error instanceof ArchiveError && error.code === 'BAD_REQUEST');
  });
});

describe('toDimseStatus', () => {
  it('maps each archive error once to the DIMSE status and a 64-character error comment', () => {
    assert.equal(toDimseStatus(new ArchiveError('TRUNCATED', 'x')).status, 0xc000);
    assert.equal(toDimseStatus(new ArchiveError('STORAGE_FAILURE', 'disk full')).status, 0xa700);
    assert.equal(toDimseStatus(new ArchiveError('DUPLICATE_CONFLICT', 'x')).status, 0x0111);
    assert.equal(toDimseStatus(new ArchiveError('BAD_REQUEST', 'x')).status, 0xa900);
    assert.equal(toDimseStatus(new ArchiveError('MISSING_UID', 'é'.repeat(100))).errorComment.length, 64);
    assert.deepEqual(toDimseStatus(new Error('secret stack')), { status: 0x0110, errorComment: 'internal error' });
  });
});
