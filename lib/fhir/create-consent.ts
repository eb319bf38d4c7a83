// POST /fhir/Consent: a hospital system that collected a patient's consent (or
// refusal) feeds it. The posted Consent (consent-input.ts) is resolved against
// the caller's own facilities — the patient (422 "No patient with this
// identifier in your facility" otherwise), the chosen studies (the person's) —
// then recorded by the portal's own operation (lib/consent/record-consent.ts,
// source FHIR: the same checks, audit consent.record, a deny ending the grants
// it covers at once). Evidence: a scanned form sent inline is kept and filed
// like one uploaded in the portal; otherwise EXTERNAL (the hospital keeps it).
// Answers the consent as stored.
import type { Consent } from '@medplum/fhirtypes';
import { recordConsent } from '../consent/record-consent';
import { isDomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { readConsentInput, refusedElement } from './consent-input';
import { consentResource } from './consent-resource';
import { consentPatient, consentStudyUids, readableConsent } from './consent-rows';
import type { FhirContext } from './fhir-context';
import { invalidElement } from './service-request-input';

/** The elements of the Consent the fields of lib/consent's errors come from */
const ELEMENT_OF: Record<string, { element: string; refused: boolean }> = {
  recipient: { element: 'Consent.provision.actor[0].reference', refused: true },
  data: { element: 'Consent.provision.data', refused: true },
  purposes: { element: 'Consent.provision.purpose', refused: false },
  validUntil: { element: 'Consent.provision.period', refused: false },
  validFrom: { element: 'Consent.provision.period.start', refused: false },
  scan: { element: 'Consent.sourceAttachment.data', refused: false },
};

export async function createConsent(context: FhirContext, principal: Principal, body: unknown): Promise<Consent> {
  const input = readConsentInput(body, 'create');
  const patientRef = await consentPatient(context.db, principal.userId, input.patient);
  const { terms, evidence } = input;
  const studyUids = terms.studies ? await consentStudyUids(context.db, patientRef, terms.studies) : null;
  const recorded = await recordConsent(
    context,
    principal,
    patientRef,
    {
      decision: terms.decision,
      recipient: terms.recipient,
      purposes: terms.purposes,
      data: studyUids ? { scope: 'STUDIES', studyUids } : { scope: 'ALL' },
      ...(terms.validFrom ? { validFrom: terms.validFrom } : {}),
      validUntil: terms.validUntil,
      evidence: evidence.kind === 'SCANNED' ? { kind: 'SCANNED', note: evidence.note } : { kind: 'EXTERNAL', note: evidence.note },
    },
    evidence.kind === 'SCANNED' ? evidence.scan : null,
    'FHIR',
  ).catch((error: unknown) => {
    if (!isDomainError(error) || (error.code !== 'INVALID_INPUT' && error.code !== 'PAYLOAD_TOO_LARGE')) throw error;
    const [field, message] = Object.entries(error.fields ?? {})[0] ?? [];
    const named = field ? ELEMENT_OF[field.split('.')[0]] : undefined;
    if (error.code === 'PAYLOAD_TOO_LARGE') throw invalidElement('Consent.sourceAttachment.data', error.userMessage);
    if (!named) throw invalidElement('Consent', message ?? error.userMessage);
    throw named.refused ? refusedElement(named.element, error.userMessage) : invalidElement(named.element, message ?? error.userMessage);
  });
  return consentResource(await readableConsent(context.db, principal.userId, recorded.id), context.origin);
}
