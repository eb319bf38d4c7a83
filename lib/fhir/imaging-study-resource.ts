// A study copy as an R4 ImagingStudy: identifier urn:dicom:uid|urn:oid:<Study Instance UID>,
// status available, the patient, the study date, counts, modalities and series,
// and the DICOMweb (WADO-RS) base to fetch the images from, as a contained Endpoint.
import type { Coding, Endpoint, ImagingStudy } from '@medplum/fhirtypes';
import type { FhirStudyRow } from './find-readable-studies';
import { patientReference } from './patient-reference';

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';

function modalityCoding(code: string): Coding {
  return { system: DCM, code: code || 'OT' };
}

/** DICOM DA YYYYMMDD as a FHIR date (no time: DICOM times carry no time zone, which FHIR needs) */
export function fhirDate(dicomDate: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(dicomDate);
  return match ? `${match[1]}-${match[2]}-${match[3]}` : undefined;
}

export function imagingStudyResource(study: FhirStudyRow, origin: string): ImagingStudy {
  const endpoint: Endpoint = {
    resourceType: 'Endpoint',
    id: 'dicomweb',
    status: 'active',
    connectionType: { system: 'http://terminology.hl7.org/CodeSystem/endpoint-connection-type', code: 'dicom-wado-rs' },
    payloadType: [{ text: 'DICOM' }],
    payloadMimeType: ['application/dicom'],
    address: `${origin}/dicomweb`,
  };
  const modalities = study.modalities.split('\\').filter(Boolean);
  const started = fhirDate(study.studyDate);
  return {
    resourceType: 'ImagingStudy',
    id: study.id,
    contained: [endpoint],
    identifier: [
      { system: 'urn:dicom:uid', value: `urn:oid:${study.studyInstanceUid}` },
      ...(study.accessionNumber ? [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN' }] }, value: study.accessionNumber }] : []),
    ],
    status: 'available',
    ...(modalities.length ? { modality: modalities.map(modalityCoding) } : {}),
    subject: patientReference(study.patient),
    ...(started ? { started } : {}),
    endpoint: [{ reference: '#dicomweb' }],
    numberOfSeries: study.numberOfSeries,
    numberOfInstances: study.numberOfInstances,
    ...(study.description ? { description: study.description } : {}),
    series: study.series.map((series) => ({
      uid: series.seriesInstanceUid,
      ...(series.seriesNumber !== null && series.seriesNumber >= 0 ? { number: series.seriesNumber } : {}),
      modality: modalityCoding(series.modality),
      ...(series.description ? { description: series.description } : {}),
      numberOfInstances: series.numberOfInstances,
    })),
  };
}
