// Text inside sequence items is decoded with the dataset's SpecificCharacterSet
// at ingest (dcmjs-sequence-charset.ts): an SR's UTF-8 content items and the
// names in its observer sequences reach the index's DICOM JSON as written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import { parseInstance } from './parse-instance';

const { DicomDict, DicomMetaDictionary } = dcmjs.data;
const IMPRESSION = 'Пневмония справа. Zápal plic vpravo — Kovač.';

function srFile(specificCharacterSet: string | undefined, text: string, name: string): Buffer {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.88.22',
    MediaStorageSOPInstanceUID: '2.25.1003',
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.9',
  };
  const dataset = {
    ...(specificCharacterSet ? { SpecificCharacterSet: specificCharacterSet } : {}),
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.22',
    SOPInstanceUID: '2.25.1003',
    StudyInstanceUID: '2.25.1001',
    SeriesInstanceUID: '2.25.1002',
    Modality: 'SR',
    PatientName: name,
    ValueType: 'CONTAINER',
    VerifyingObserverSequence: [{ VerifyingObserverName: name, VerifyingOrganization: 'Bolnica Čakovec', VerificationDateTime: '20261206120000' }],
    ContentSequence: [
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'CONTAINER',
        ContinuityOfContent: 'SEPARATE',
        // a nested item: the character set is inherited two levels down
        ContentSequence: [{ RelationshipType: 'CONTAINS', ValueType: 'TEXT', TextValue: text }],
      },
    ],
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

type Json = Record<string, { Value?: unknown[] }>;
const first = (dataset: Json, tag: string) => (dataset[tag]?.Value ?? [])[0];

describe('sequence items keep the character set of their dataset', () => {
  it('UTF-8 (ISO_IR 192): text and person names in (nested) items read as written', () => {
    const { dataset: metadata } = parseInstance(srFile('ISO_IR 192', IMPRESSION, 'Kovač^Olga'));
    const json = metadata as unknown as Json;
    assert.deepEqual(first(json, '00100010'), { Alphabetic: 'Kovač^Olga' }, 'top level, as before');
    const observer = first(json, '0040A073') as Json;
    assert.deepEqual(first(observer, '0040A075'), { Alphabetic: 'Kovač^Olga' });
    assert.equal(first(observer, '0040A027'), 'Bolnica Čakovec');
    const section = first(json, '0040A730') as Json;
    const item = first(section, '0040A730') as Json;
    assert.equal(first(item, '0040A160'), IMPRESSION);
  });

  it('the default repertoire (no SpecificCharacterSet) is unchanged: ASCII text reads as written', () => {
    const { dataset: metadata } = parseInstance(srFile(undefined, 'No focal lesion.', 'Smith^Ann'));
    const item = first(first(metadata as unknown as Json, '0040A730') as Json, '0040A730') as Json;
    assert.equal(first(item, '0040A160'), 'No focal lesion.');
  });
});
