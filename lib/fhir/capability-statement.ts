// GET /fhir/metadata: what this FHIR R4 server does (JSON: reads reports and
// studies; creates, reads and searches second-opinion cases as ServiceRequest
// and Task; creates, reads, searches and revokes patient consents as Consent),
// the same list the README gives. Open to anyone, like every FHIR
// server's metadata.
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
    date: '2026-12-07',
    kind: 'instance',
    software: { name: 'Telepacs' },
    implementation: { description: 'Telepacs FHIR API: radiology reports and imaging studies; second-opinion cases; patient consents', url: `${origin}/fhir` },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [
      {
        mode: 'server',
        documentation:
          'Reads reports and studies; creates, reads and searches second-opinion cases (ServiceRequest, Task); creates, reads, searches and revokes patient consents (Consent). Authenticate with an API token (Authorization: Bearer) or the portal session. Report and study searches need a patient or study criterion; unknown parameters are refused. No paging: every match in one Bundle (at most 500 studies; cases: _count).',
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
          {
            type: 'HealthcareService',
            profile: 'http://hl7.org/fhir/StructureDefinition/HealthcareService',
            documentation: 'The services a second-opinion case can be addressed to (ServiceRequest.performer), with their facility (providedBy) and turnaround (comment).',
            interaction: [{ code: 'search-type' }],
            searchParam: [{ name: 'name', type: 'string', documentation: 'Part of the name, any case.' }],
          },
          {
            type: 'Practitioner',
            profile: 'http://hl7.org/fhir/StructureDefinition/Practitioner',
            documentation: 'The experts a second-opinion case can be addressed to by name (ServiceRequest.performer), the caller excluded. The id is the one requester and owner references carry.',
            interaction: [{ code: 'search-type' }],
            searchParam: [{ name: 'name', type: 'string', documentation: 'Part of the name, any case.' }],
          },
          {
            type: 'ServiceRequest',
            profile: 'http://hl7.org/fhir/StructureDefinition/ServiceRequest',
            documentation:
              'A second-opinion case. Create: status active (sent) or draft, intent order, subject the Patient by identifier, supportingInfo the ImagingStudy references (urn:dicom:uid|urn:oid:<UID>, or ImagingStudy/<id>), performer[0] HealthcareService/<id> or Practitioner/<id>, priority routine|urgent|stat, the question as reasonCode[0].text (or note[0].text), the history as note. The id is the case id, the same as its Task.',
            interaction: [{ code: 'create' }, { code: 'read' }, { code: 'search-type' }],
            searchParam: [
              { ...patientIdentifier, documentation: "The patient's ID: value (any issuer), or system|value as in DiagnosticReport. The cases the caller takes part in." },
              { name: '_count', type: 'number', documentation: 'How many cases the Bundle carries (default 100, at most 500); total counts every match. Newest change first.' },
            ],
          },
          {
            type: 'Consent',
            profile: 'http://hl7.org/fhir/StructureDefinition/Consent',
            documentation:
              "A patient's consent (or refusal) to share their images beyond the facility. Create: status active, scope patient-privacy, patient by identifier (a record of the caller's facility; else 422), provision.type permit|deny, provision.period, provision.actor[0] the recipient (role v3-ParticipationType IRCP; Organization/<id>, Practitioner/<id>, or a service by identifier urn:telepacs:healthcare-service|<HealthcareService id>; no actor: any facility of the region), provision.purpose (urn:telepacs:consent-purpose SECOND_OPINION | TELECONSULTATION | EMERGENCY_CARE | TRANSFER | RESEARCH, or v3-ActReason TREAT | ETREAT | HRESCH), provision.data the ImagingStudy references (none: all imaging), sourceAttachment a scanned form (application/pdf or image/jpeg, base64). Update (PUT): only the status changes, to inactive (revoked) or entered-in-error; reason in the extension urn:telepacs:consent-revoke-reason.",
            interaction: [{ code: 'create' }, { code: 'read' }, { code: 'update' }, { code: 'search-type' }],
            updateCreate: false,
            searchParam: [
              { ...patientIdentifier, documentation: "The patient's ID: value, or system|value as in DiagnosticReport; a record of the caller's facilities (the person's consents, across linked records)." },
              { ...patient, documentation: 'Patient/<id>, the reference the Consent carries in patient.' },
              { name: 'status', type: 'token', definition: `${SP}/Consent-status`, documentation: 'active | inactive | entered-in-error, comma-separated for several.' },
            ],
          },
          {
            type: 'Task',
            profile: 'http://hl7.org/fhir/StructureDefinition/Task',
            documentation: 'The work on a second-opinion case (same id as its ServiceRequest). When completed, output[0].valueReference is the DiagnosticReport.',
            interaction: [{ code: 'read' }, { code: 'search-type' }],
            searchParam: [
              { name: 'owner', type: 'reference', definition: `${SP}/Task-owner`, documentation: 'Practitioner/<id> (the expert who took the case, or the named expert before) or HealthcareService/<id> (the addressed service, before an expert takes it).' },
              { name: 'status', type: 'token', definition: `${SP}/Task-status`, documentation: 'draft | requested | accepted | rejected | in-progress | on-hold | completed | cancelled, comma-separated for several.' },
              { name: '_count', type: 'number', documentation: 'How many Tasks the Bundle carries (default 100, at most 500); total counts every match. Newest change first.' },
            ],
          },
        ],
      },
    ],
  };
}
