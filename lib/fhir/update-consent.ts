// PUT /fhir/Consent/<id>: a hospital system changes a consent's status — the
// only change a consent takes. inactive (the patient revoked it) or
// entered-in-error go through the portal's own operation
// (lib/consent/revoke-consent.ts: members of the facility that recorded it,
// NOT_FOUND otherwise; the grants resting on it end at once, their sockets
// close, audit consent.revoke). The resource put must be the stored one with a
// new status: other terms changed → 422 naming the element; a consent already
// inactive or entered in error → 409. Putting it back unchanged (active)
// changes nothing. The reason: the extension urn:telepacs:consent-revoke-reason,
// else a sentence saying a hospital system sent it.
import type { Consent } from '@medplum/fhirtypes';
import { revokeConsent } from '../consent/revoke-consent';
import { parseList } from '../consent/consent-types';
import { DomainError } from '../errors';
import { authorizeConsentChange } from '../policy/consent-access';
import type { Principal } from '../policy/principal';
import { readConsentInput, refusedElement, type ConsentRecipient } from './consent-input';
import { consentResource } from './consent-resource';
import { consentPatient, consentStudyUids, readableConsent, type FhirConsent } from './consent-rows';
import type { FhirContext } from './fhir-context';
import { resourceNotFound } from './read-diagnostic-report';
import { isNotFound } from './read-service-request';
import { invalidElement } from './service-request-input';

function sameRecipient(stored: FhirConsent, recipient: ConsentRecipient): boolean {
  if (recipient.kind !== stored.recipientKind) return false;
  if (recipient.kind === 'FACILITY') return recipient.facilityId === stored.recipientFacilityId;
  if (recipient.kind === 'SERVICE') return recipient.serviceId === stored.recipientServiceId;
  return recipient.kind === 'REGION' || recipient.userId === stored.recipientUserId;
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item) => b.includes(item));

const unchangeable = (element: string) => refusedElement(element, 'a consent\'s terms do not change, only its status (inactive: revoked; entered-in-error). Record a new Consent for new terms.');

export async function updateConsent(context: FhirContext, principal: Principal, id: string, body: unknown): Promise<Consent> {
  const { db } = context;
  const input = readConsentInput(body, 'update');
  if (input.id !== id) throw invalidElement('Consent.id', `required, and the same as the URL's (${id}).`);
  await authorizeConsentChange(db, principal.userId, id).catch((error: unknown) => {
    throw isNotFound(error) ? resourceNotFound('Consent', id) : error;
  });
  const stored = await readableConsent(db, principal.userId, id);
  if (stored.status !== 'active') throw new DomainError('CONFLICT', `consent ${id} is ${stored.status}`, { userMessage: `Consent/${id} is ${stored.status} already: a revoked consent or one entered in error does not change. Record a new Consent.` });

  // Only the status may change: every term put back must be the stored one
  if ((await consentPatient(db, principal.userId, input.patient)) !== stored.patientRef) throw unchangeable('Consent.patient');
  const { terms } = input;
  if (terms.decision !== stored.decision) throw unchangeable('Consent.provision.type');
  if (!sameRecipient(stored, terms.recipient)) throw unchangeable('Consent.provision.actor');
  if (!sameSet(terms.purposes, parseList(stored.purposes))) throw unchangeable('Consent.provision.purpose');
  const uids = terms.studies ? await consentStudyUids(db, stored.patientRef, terms.studies) : [];
  if ((terms.studies ? 'STUDIES' : 'ALL') !== stored.dataScope || !sameSet(uids, stored.studies.map((study) => study.studyInstanceUid))) throw unchangeable('Consent.provision.data');
  if ((terms.validFrom && terms.validFrom.getTime() !== stored.validFrom.getTime()) || (terms.validUntil?.getTime() ?? null) !== (stored.validUntil?.getTime() ?? null)) throw unchangeable('Consent.provision.period');

  if (input.status !== 'active') {
    const reason = input.revokeReason || (input.status === 'inactive' ? 'Revoked, as sent by a hospital system (FHIR)' : 'Entered in error, as sent by a hospital system (FHIR)');
    await revokeConsent(context, principal, id, { reason, status: input.status });
  }
  return consentResource(await readableConsent(db, principal.userId, id), context.origin);
}
