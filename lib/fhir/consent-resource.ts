// A patient's consent (lib/consent) as an R4 Consent: scope patient-privacy,
// category LOINC 59284-0, the patient, recorded at (dateTime), the facility that
// keeps it (organization), the patient or representative who agreed (performer),
// policyRule OPTIN / OPTOUT, and one provision: permit | deny, the period, the
// recipient (actor, role IRCP; none = any facility of the region; a service
// by identifier, R4 allowing no HealthcareService there), the purposes
// (urn:telepacs:consent-purpose) and the chosen studies (ImagingStudy/<id> with
// the Study Instance UID; none = all imaging). The evidence document, when
// there is one, is the portal's link (sourceAttachment.url); a revocation's
// reason rides in an extension (R4 Consent has no element for it).
import type { CodeableConcept, Consent, ConsentProvision, ConsentProvisionActor } from '@medplum/fhirtypes';
import { CONSENT_PURPOSE_WORDS, parseList, type ConsentPurpose } from '../consent/consent-types';
import { CONSENT_IDENTIFIER_SYSTEM, CONSENT_PURPOSE_SYSTEM, CONSENT_SCOPE_SYSTEM, REVOKE_REASON_EXTENSION, SERVICE_IDENTIFIER_SYSTEM, V3_ACT_CODE, V3_PARTICIPATION_TYPE } from './consent-input';
import type { FhirConsent } from './consent-rows';
import { patientReference } from './patient-reference';

function concept(system: string, code: string, display?: string): CodeableConcept {
  return { coding: [{ system, code, ...(display ? { display } : {}) }] };
}

function recipientReference(consent: FhirConsent): ConsentProvisionActor['reference'] | null {
  const display = consent.recipientDisplay;
  if (consent.recipientKind === 'FACILITY') return { reference: `Organization/${consent.recipientFacilityId}`, type: 'Organization', display };
  // R4 allows no HealthcareService here: a logical reference by identifier
  if (consent.recipientKind === 'SERVICE') return { identifier: { system: SERVICE_IDENTIFIER_SYSTEM, value: consent.recipientServiceId ?? '' }, display };
  if (consent.recipientKind === 'USER') return { reference: `Practitioner/${consent.recipientUserId}`, type: 'Practitioner', display };
  return null;
}

function provisionOf(consent: FhirConsent): ConsentProvision {
  const recipient = recipientReference(consent);
  return {
    type: consent.decision === 'DENY' ? 'deny' : 'permit',
    period: { start: consent.validFrom.toISOString(), ...(consent.validUntil ? { end: consent.validUntil.toISOString() } : {}) },
    ...(recipient ? { actor: [{ role: concept(V3_PARTICIPATION_TYPE, 'IRCP', 'information recipient'), reference: recipient }] } : {}),
    purpose: parseList(consent.purposes).map((purpose) => ({ system: CONSENT_PURPOSE_SYSTEM, code: purpose, display: CONSENT_PURPOSE_WORDS[purpose as ConsentPurpose] ?? purpose })),
    ...(consent.studies.length
      ? {
          data: consent.studies.map((study) => ({
            meaning: 'instance' as const,
            reference: { type: 'ImagingStudy', ...(study.studyRef ? { reference: `ImagingStudy/${study.studyRef}` } : {}), identifier: { system: 'urn:dicom:uid', value: `urn:oid:${study.studyInstanceUid}` } },
          })),
        }
      : {}),
  };
}

export function consentResource(consent: FhirConsent, origin: string): Consent {
  const signer: NonNullable<Consent['performer']>[number] = consent.signerRole === 'REPRESENTATIVE'
    ? { type: 'RelatedPerson', display: [consent.signerName, consent.representativeRelation && `(${consent.representativeRelation})`].filter(Boolean).join(' ') || 'Representative' }
    : patientReference(consent.patient);
  return {
    resourceType: 'Consent',
    id: consent.id,
    meta: { lastUpdated: consent.updatedAt.toISOString() },
    ...(consent.revokedAt && consent.revokeReason ? { extension: [{ url: REVOKE_REASON_EXTENSION, valueString: consent.revokeReason }] } : {}),
    identifier: [{ system: CONSENT_IDENTIFIER_SYSTEM, value: consent.id }],
    status: consent.status as Consent['status'],
    scope: concept(CONSENT_SCOPE_SYSTEM, 'patient-privacy', 'Privacy Consent'),
    category: [concept('http://loinc.org', '59284-0')],
    patient: patientReference(consent.patient),
    dateTime: consent.recordedAt.toISOString(),
    performer: [signer],
    organization: [{ reference: `Organization/${consent.facility.id}`, type: 'Organization', ...(consent.facility.name ? { display: consent.facility.name } : {}) }],
    ...(consent.documentKey ? { sourceAttachment: { contentType: 'application/pdf', url: `${origin}/api/consents/${consent.id}/document`, title: `Consent evidence (${consent.evidenceKind.toLowerCase()})` } } : {}),
    policyRule: concept(V3_ACT_CODE, consent.decision === 'DENY' ? 'OPTOUT' : 'OPTIN', consent.decision === 'DENY' ? 'opt-out' : 'opt-in'),
    provision: provisionOf(consent),
  };
}
