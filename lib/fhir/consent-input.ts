// Reads the Consent a hospital system posts (POST /fhir/Consent) or puts back
// (PUT /fhir/Consent/<id>) into the terms lib/consent records, refusing what
// it cannot honour with an OperationOutcome whose expression names the element:
// 400 for what is malformed or unknown (a purpose code, a reference of another
// type, a period ending before it starts), 422 for a valid R4 value this server
// does not accept (status draft, proposed, rejected; a scope other than privacy).
// - status: active on create; inactive or entered-in-error on update (revokes);
// - patient: by identifier ({system?, value}, as patient-reference.ts writes it) or Patient/<id>;
// - provision.type permit | deny (policyRule OPTIN / OPTOUT, if sent, must agree);
// - provision.period start/end → valid from / until (no start: from now);
// - provision.actor: none = any facility of the region; one recipient (role IRCP):
//   Organization/<facilityId> | Practitioner/<userId> | a service by identifier
//   urn:telepacs:healthcare-service|<serviceId> (R4 allows no HealthcareService
//   target here; HealthcareService/<serviceId> is taken too);
// - provision.purpose: urn:telepacs:consent-purpose codes, or v3-ActReason TREAT
//   (second opinion, teleconsultation, transfer), ETREAT (emergency care), HRESCH (research);
// - provision.data: ImagingStudy/<id> or the Study Instance UID identifier; none = all imaging;
// - sourceAttachment: a PDF or JPEG inline (base64) is the scanned form; otherwise
//   the hospital system keeps the evidence (EXTERNAL).
// Nested provisions and narrowing elements this server cannot enforce (class,
// code, dataPeriod, securityLabel) are refused rather than ignored: ignoring
// them would widen a permit.
import type { Attachment, Coding, Consent, ConsentProvision, Reference } from '@medplum/fhirtypes';
import { DomainError } from '../errors';
import { CONSENT_PURPOSES, type ConsentPurpose, type ConsentStatus } from '../consent/consent-types';
import { MAX_SCAN_BYTES } from '../consent/document/check-consent-evidence';
import type { TokenValue } from './search-params';
import { invalidElement } from './service-request-input';

export const CONSENT_PURPOSE_SYSTEM = 'urn:telepacs:consent-purpose';
export const CONSENT_IDENTIFIER_SYSTEM = 'urn:telepacs:consent';
/** Why a consent was revoked (PUT status inactive / entered-in-error): R4 Consent has no element for it */
export const REVOKE_REASON_EXTENSION = 'urn:telepacs:consent-revoke-reason';
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const V3_ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
export const V3_ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
/**
 * R4 does not allow HealthcareService as Consent.provision.actor.reference's target:
 * a service is named by identifier (value: the HealthcareService id GET /fhir/HealthcareService gives)
 */
export const SERVICE_IDENTIFIER_SYSTEM = 'urn:telepacs:healthcare-service';
export const V3_PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/** v3-ActReason codes taken as synonyms of the consent purposes */
export const ACT_REASON_PURPOSES: Record<string, ConsentPurpose[]> = {
  TREAT: ['SECOND_OPINION', 'TELECONSULTATION', 'TRANSFER'],
  ETREAT: ['EMERGENCY_CARE'],
  HRESCH: ['RESEARCH'],
};

export type ConsentRecipient = { kind: 'REGION' } | { kind: 'FACILITY'; facilityId: string } | { kind: 'SERVICE'; serviceId: string } | { kind: 'USER'; userId: string };
export type ConsentStudyPointer = { uid: string } | { studyRef: string };

export interface ConsentTerms {
  decision: 'PERMIT' | 'DENY';
  recipient: ConsentRecipient;
  purposes: ConsentPurpose[];
  /** null: all imaging */
  studies: ConsentStudyPointer[] | null;
  validFrom: Date | undefined;
  validUntil: Date | null;
}

export interface ConsentInput {
  id: string | undefined;
  status: ConsentStatus;
  patient: { identifier: TokenValue } | { patientRef: string };
  terms: ConsentTerms;
  /** SCANNED: the form sent inline; EXTERNAL: the hospital system keeps it */
  evidence: { kind: 'EXTERNAL'; note: string } | { kind: 'SCANNED'; note: string; scan: { bytes: Buffer; fileName: string } };
  revokeReason: string;
}

/** A Consent's body: its scanned form as base64 (4 characters per 3 bytes) and the rest */
export const MAX_CONSENT_BODY_BYTES = Math.ceil(MAX_SCAN_BYTES / 3) * 4 + 256 * 1024;

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const UID = /^[0-9.]{1,64}$/;
/** FHIR dateTime: a year, a month, a day, or an instant with its time zone */
const DATE_TIME = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;
const NOT_ACCEPTED_STATUSES = ['draft', 'proposed', 'rejected'];

/** A 422: a valid R4 value this server does not accept, named by its element */
export function refusedElement(expression: string, message: string): DomainError {
  return new DomainError('UNPROCESSABLE', `refused ${expression}`, { userMessage: `${expression}: ${message}`, fields: { [expression]: message } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function listOf(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidElement(where, 'must be a list.');
  return value;
}

function codings(concept: unknown): Coding[] {
  return isObject(concept) && Array.isArray(concept.coding) ? (concept.coding as unknown[]).filter(isObject) : [];
}

function hasCode(concept: unknown, system: string, code: string): boolean {
  return codings(concept).some((coding) => coding.system === system && coding.code === code);
}

function statusOf(status: unknown, mode: 'create' | 'update'): ConsentStatus {
  const where = 'Consent.status';
  const value = text(status);
  if (NOT_ACCEPTED_STATUSES.includes(value)) {
    throw refusedElement(where, `${value} is not accepted: a consent is recorded active, then changed to inactive (revoked) or entered-in-error. Accepted: ${mode === 'create' ? 'active' : 'active, inactive, entered-in-error'}.`);
  }
  if (value !== 'active' && value !== 'inactive' && value !== 'entered-in-error') throw invalidElement(where, 'required: active, inactive or entered-in-error.');
  if (mode === 'create' && value !== 'active') throw refusedElement(where, `a consent is created active (${value}: create it, then PUT it with the new status).`);
  return value;
}

function patientOf(patient: unknown): ConsentInput['patient'] {
  const where = 'Consent.patient';
  if (!isObject(patient)) throw invalidElement(where, 'required: the Patient, by identifier ({"identifier": {"system": …, "value": "<PatientID>"}}) or Patient/<id>.');
  const reference = text(patient.reference);
  if (reference) {
    const match = /^Patient\/(.+)$/.exec(reference);
    if (!match || !ID.test(match[1])) throw invalidElement(`${where}.reference`, 'must be Patient/<id>.');
    return { patientRef: match[1] };
  }
  if (patient.type !== undefined && patient.type !== 'Patient') throw invalidElement(`${where}.type`, 'must be Patient.');
  const identifier = patient.identifier;
  if (!isObject(identifier) || !text(identifier.value)) throw invalidElement(`${where}.identifier.value`, "required: the patient's ID (PatientID).");
  if (identifier.system !== undefined && !text(identifier.system)) throw invalidElement(`${where}.identifier.system`, 'must be a URI when given.');
  return { identifier: { system: identifier.system === undefined ? undefined : text(identifier.system), value: text(identifier.value) } };
}

function decisionOf(consent: Record<string, unknown>, provision: Record<string, unknown>): 'PERMIT' | 'DENY' {
  const type = provision.type;
  if (type !== 'permit' && type !== 'deny') throw invalidElement('Consent.provision.type', 'required: permit or deny.');
  const rule = consent.policyRule;
  if (rule !== undefined) {
    const optIn = hasCode(rule, V3_ACT_CODE, 'OPTIN');
    const optOut = hasCode(rule, V3_ACT_CODE, 'OPTOUT');
    if ((type === 'permit' && optOut) || (type === 'deny' && optIn)) throw invalidElement('Consent.policyRule', `says ${optIn ? 'OPTIN' : 'OPTOUT'} but provision.type is ${type}.`);
  }
  return type === 'permit' ? 'PERMIT' : 'DENY';
}

function instantOf(value: unknown, where: string): Date | undefined {
  if (value === undefined) return undefined;
  const raw = text(value);
  const date = DATE_TIME.test(raw) ? new Date(raw) : null;
  if (!date || Number.isNaN(date.getTime())) throw invalidElement(where, 'must be a FHIR dateTime (e.g. 2026-12-07 or 2026-12-07T09:00:00Z).');
  return date;
}

function periodOf(period: unknown): { validFrom: Date | undefined; validUntil: Date | null } {
  if (period === undefined) return { validFrom: undefined, validUntil: null };
  if (!isObject(period)) throw invalidElement('Consent.provision.period', 'must be a Period ({"start": …, "end": …}).');
  const validFrom = instantOf(period.start, 'Consent.provision.period.start');
  const validUntil = instantOf(period.end, 'Consent.provision.period.end') ?? null;
  if (validUntil && validUntil <= (validFrom ?? new Date(0))) throw invalidElement('Consent.provision.period', 'must end after it starts.');
  return { validFrom, validUntil };
}

function recipientOf(actors: unknown): ConsentRecipient {
  const list = listOf(actors, 'Consent.provision.actor');
  if (list.length === 0) return { kind: 'REGION' };
  if (list.length > 1) throw invalidElement('Consent.provision.actor', 'name one recipient per Consent (or none: any facility of the region); send one Consent per recipient.');
  const actor = list[0];
  const where = 'Consent.provision.actor[0]';
  if (!isObject(actor)) throw invalidElement(where, 'must be {"role": …, "reference": …}.');
  if (!hasCode(actor.role, V3_PARTICIPATION_TYPE, 'IRCP')) throw invalidElement(`${where}.role`, `must be the information recipient: ${V3_PARTICIPATION_TYPE} IRCP.`);
  const target = isObject(actor.reference) ? (actor.reference as Reference) : undefined;
  const reference = text(target?.reference);
  if (!reference && target?.identifier?.system === SERVICE_IDENTIFIER_SYSTEM) {
    const serviceId = text(target.identifier.value);
    if (!ID.test(serviceId)) throw invalidElement(`${where}.reference.identifier.value`, 'must be the HealthcareService id.');
    return { kind: 'SERVICE', serviceId };
  }
  const match = /^(Organization|HealthcareService|Practitioner)\/(.+)$/.exec(reference);
  if (!match || !ID.test(match[2])) throw invalidElement(`${where}.reference`, `must be Organization/<facility id>, Practitioner/<user id>, or a service: {"identifier": {"system": "${SERVICE_IDENTIFIER_SYSTEM}", "value": "<HealthcareService id>"}} (or HealthcareService/<id>).`);
  const [, type, id] = match;
  if (type === 'Organization') return { kind: 'FACILITY', facilityId: id };
  return type === 'HealthcareService' ? { kind: 'SERVICE', serviceId: id } : { kind: 'USER', userId: id };
}

function purposesOf(purposes: unknown): ConsentPurpose[] {
  const list = listOf(purposes, 'Consent.provision.purpose');
  if (list.length === 0) throw invalidElement('Consent.provision.purpose', `required: what the images may be shared for (${CONSENT_PURPOSE_SYSTEM}: ${CONSENT_PURPOSES.join(', ')}).`);
  const found = new Set<ConsentPurpose>();
  for (const [index, coding] of list.entries()) {
    const where = `Consent.provision.purpose[${index}]`;
    const system = isObject(coding) ? coding.system : undefined;
    const code = isObject(coding) ? text(coding.code) : '';
    if (system === CONSENT_PURPOSE_SYSTEM && (CONSENT_PURPOSES as readonly string[]).includes(code)) found.add(code as ConsentPurpose);
    else if (system === V3_ACT_REASON && ACT_REASON_PURPOSES[code]) ACT_REASON_PURPOSES[code].forEach((purpose) => found.add(purpose));
    else throw invalidElement(where, `unknown purpose ${system ? `${String(system)}|` : ''}${code || '(no code)'}: use ${CONSENT_PURPOSE_SYSTEM} (${CONSENT_PURPOSES.join(', ')}) or ${V3_ACT_REASON} (${Object.keys(ACT_REASON_PURPOSES).join(', ')}).`);
  }
  return CONSENT_PURPOSES.filter((purpose) => found.has(purpose));
}

function studiesOf(data: unknown): ConsentStudyPointer[] | null {
  const list = listOf(data, 'Consent.provision.data');
  if (list.length === 0) return null;
  return list.map((entry, index) => {
    const where = `Consent.provision.data[${index}]`;
    const reference = isObject(entry) && isObject(entry.reference) ? (entry.reference as Record<string, unknown>) : null;
    if (!reference) throw invalidElement(where, 'must be {"meaning": "instance", "reference": ImagingStudy}.');
    if (reference.type !== undefined && reference.type !== 'ImagingStudy') throw invalidElement(`${where}.reference.type`, 'only ImagingStudy references are accepted here.');
    const id = text(reference.reference);
    if (id) {
      const match = /^ImagingStudy\/(.+)$/.exec(id);
      if (!match || !ID.test(match[1])) throw invalidElement(`${where}.reference.reference`, 'must be ImagingStudy/<id>.');
      return { studyRef: match[1] };
    }
    const identifier = reference.identifier;
    if (!isObject(identifier) || (identifier.system !== undefined && identifier.system !== 'urn:dicom:uid')) throw invalidElement(`${where}.reference`, 'must be ImagingStudy/<id> or the identifier {"system": "urn:dicom:uid", "value": "urn:oid:<Study Instance UID>"}.');
    const value = text(identifier.value);
    const uid = value.startsWith('urn:oid:') ? value.slice('urn:oid:'.length) : value;
    if (!UID.test(uid)) throw invalidElement(`${where}.reference.identifier.value`, 'must be urn:oid:<Study Instance UID>.');
    return { uid };
  });
}

function evidenceOf(consent: Record<string, unknown>): ConsentInput['evidence'] {
  const attachment = consent.sourceAttachment;
  if (attachment !== undefined) {
    const where = 'Consent.sourceAttachment';
    if (!isObject(attachment)) throw invalidElement(where, 'must be an Attachment.');
    const { contentType, data, title } = attachment as Attachment & Record<string, unknown>;
    if (contentType !== 'application/pdf' && contentType !== 'image/jpeg') throw invalidElement(`${where}.contentType`, 'the scanned form must be application/pdf or image/jpeg.');
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/\s]+=*\s*$/.test(data)) throw invalidElement(`${where}.data`, 'required: the scanned form, base64 (a url is not fetched).');
    const bytes = Buffer.from(data, 'base64');
    if (bytes.length > MAX_SCAN_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', 'consent scan too large', { userMessage: `${where}.data: the scanned form is larger than ${MAX_SCAN_BYTES / (1024 * 1024)} MB.`, fields: { [`${where}.data`]: 'too large' } });
    const fileName = text(title) || (contentType === 'application/pdf' ? 'consent.pdf' : 'consent.jpg');
    return { kind: 'SCANNED', note: 'Sent by a hospital system (FHIR)', scan: { bytes, fileName } };
  }
  const source = consent.sourceReference;
  if (source !== undefined && !isObject(source)) throw invalidElement('Consent.sourceReference', 'must be a Reference.');
  const kept = isObject(source) ? text(source.reference) || text(source.display) : '';
  return { kind: 'EXTERNAL', note: kept ? `Evidence kept by the hospital system: ${kept}` : 'Evidence kept by the hospital system' };
}

function revokeReasonOf(extensions: unknown): string {
  const found = listOf(extensions, 'Consent.extension').find((extension) => isObject(extension) && extension.url === REVOKE_REASON_EXTENSION);
  return isObject(found) ? text(found.valueString) : '';
}

export function readConsentInput(body: unknown, mode: 'create' | 'update'): ConsentInput {
  if (!isObject(body) || body.resourceType !== 'Consent') throw invalidElement('Consent', 'send a Consent resource ("resourceType": "Consent").');
  const consent = body as Partial<Consent> & Record<string, unknown>;
  const status = statusOf(consent.status, mode);
  if (consent.scope !== undefined && !hasCode(consent.scope, CONSENT_SCOPE_SYSTEM, 'patient-privacy')) {
    throw refusedElement('Consent.scope', `only privacy consents (${CONSENT_SCOPE_SYSTEM} patient-privacy) are kept here: who may see the patient's images.`);
  }
  const patient = patientOf(consent.patient);
  const provision = consent.provision as ConsentProvision | undefined;
  if (!isObject(provision)) throw invalidElement('Consent.provision', 'required: {"type": "permit" | "deny", "purpose": […], …}.');
  for (const element of ['provision', 'class', 'code', 'dataPeriod', 'securityLabel'] as const) {
    if ((provision as Record<string, unknown>)[element] !== undefined) throw invalidElement(`Consent.provision.${element}`, 'is not supported (it would narrow the rule in a way this server cannot enforce): send one Consent per rule.');
  }
  const terms: ConsentTerms = {
    decision: decisionOf(consent, provision as Record<string, unknown>),
    recipient: recipientOf(provision.actor),
    purposes: purposesOf(provision.purpose),
    studies: studiesOf(provision.data),
    ...periodOf(provision.period),
  };
  const id = consent.id === undefined ? undefined : text(consent.id);
  return { id, status, patient, terms, evidence: evidenceOf(consent), revokeReason: revokeReasonOf(consent.extension) };
}

