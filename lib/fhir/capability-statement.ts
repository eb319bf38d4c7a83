// GET /fhir/metadata: what this FHIR R4 server does (read-only, JSON), the
// same list the README gives. Open to anyone, like every FHIR server's metadata.
import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestResourceSearchParam } from '@medplum/fhirtypes';

const SP = 'http://hl7.org/fhir/SearchParameter';

const patientIdentifier: CapabilityStatementRestResourceSearchParam = {
  name: 'patient.identifier',
  type: 'token',
  documentation: "The patient's ID (MRN, DICOM PatientID): value, or system|value where system is the IssuerOfPatientID (itself when a URI, else urn:telepacs:issuer:<issuer>); |value: no issuer.",
};
const subject: CapabilityStatementRestResourceSearchParam = { name: 'subject', type: 'reference', documentation: 'Patient/<id>, the reference the resources carry in subject.' };
const patient: CapabilityStatementRestResourceSearchParam = { name: 'patient', type: 'reference', documentation: 'Same as subject.' };
const studyUid: CapabilityStatementRestResourceSearchParam = {
  name: 'study-instance-uid',
  type: 'token',
  documentation: 'Telepacs: the Study Instance UID, as 1.2.3, urn:oid:1.2.3 or urn:dicom:uid|urn:oid:1.2.3.',
};

/** A resource type this server reads and searches, with its search parameters */
function readAndSearch(type: 'DiagnosticReport' | 'ImagingStudy', searchParam: CapabilityStatementRestResourceSearchParam[]): CapabilityStatementRestResource {
  return { type, profile: `http://hl7.org/fhir/StructureDefinition/${type}`, interaction: [{ code: 'read' }, { code: 'search-type' }], searchParam };
}

export function capabilityStatement(origin: string): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    // When this statement's content last changed
    date: '2026-12-06',
    kind: 'instance',
    software: { name: 'Telepacs' },
    implementation: { description: 'Telepacs FHIR read API: radiology reports and imaging studies', url: `${origin}/fhir` },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation: 'Read-only. Authenticate with an API token (Authorization: Bearer) or the portal session. Searches need a patient or study criterion; unknown parameters are refused. No paging: every match in one Bundle (at most 500 studies).',
        security: { description: 'Authorization: Bearer <API token> (made on the account page), or the portal session cookie. Without either: 401 with WWW-Authenticate.' },
        resource: [
          readAndSearch('DiagnosticReport', [
            patientIdentifier,
            subject,
            patient,
            { name: 'imaging-study', type: 'reference', documentation: 'Telepacs: ImagingStudy/<id>, the study the report is about (DiagnosticReport.imagingStudy).' },
            studyUid,
            { name: 'status', type: 'token', definition: `${SP}/DiagnosticReport-status`, documentation: 'preliminary | final | amended | appended, comma-separated for several.' },
          ]),
          readAndSearch('ImagingStudy', [
            patientIdentifier,
            subject,
            patient,
            { name: 'identifier', type: 'token', definition: `${SP}/ImagingStudy-identifier`, documentation: 'The Study Instance UID: urn:dicom:uid|urn:oid:1.2.3 (or urn:oid:1.2.3, or 1.2.3).' },
            studyUid,
          ]),
        ],
      },
    ],
  };
}
