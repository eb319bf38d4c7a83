import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { regionPatientIdOf } from './region-patient-link';

const ds = (patientId: string, issuer: string, others: [string, string][] = []): DicomJsonDataset => ({
  '00100020': patientId ? { vr: 'LO', Value: [patientId] } : { vr: 'LO' },
  '00100021': issuer ? { vr: 'LO', Value: [issuer] } : { vr: 'LO' },
  ...(others.length
    ? { '00101002': { vr: 'SQ', Value: others.map(([id, itemIssuer]) => ({ '00100020': { vr: 'LO', Value: [id] }, '00100021': { vr: 'LO', Value: [itemIssuer] } })) } }
    : {}),
});

describe('regionPatientIdOf', () => {
  it('takes PatientID when its issuer is the region', () => {
    assert.equal(regionPatientIdOf(ds('R-1', 'REGION', [['R-2', 'REGION']]), 'REGION'), 'R-1');
  });
  it('else takes the first OtherPatientIDsSequence item of the region', () => {
    assert.equal(regionPatientIdOf(ds('MRN-1', 'HOSP', [['X-1', 'OTHER'], ['R-2', 'REGION'], ['R-3', 'REGION']]), 'REGION'), 'R-2');
    assert.equal(regionPatientIdOf(ds('', 'REGION', [['R-2', 'REGION']]), 'REGION'), 'R-2', 'an empty PatientID is no region ID');
  });
  it('finds none under another issuer, nor a prefix or different case of it', () => {
    assert.equal(regionPatientIdOf(ds('R-1', 'REGIONAL', [['R-2', 'region']]), 'REGION'), null);
    assert.equal(regionPatientIdOf(ds('R-1', ''), 'REGION'), null);
  });
});
