// Reads the ServiceRequest a hospital system posts (POST /fhir/ServiceRequest)
// into what a second-opinion case needs, refusing what it cannot honour with
// a 400 OperationOutcome whose expression names the element
// (ServiceRequest.performer[0], …):
// - status active (sent at once) or draft (kept as a draft case); intent order;
// - subject: the Patient by identifier ({system?, value}: the PatientID under
//   the system of its issuer, as this API writes it) or Patient/<id>;
// - supportingInfo: the studies, first the one the case is about, as
//   ImagingStudy references by identifier (urn:dicom:uid / urn:oid:<UID>) or
//   ImagingStudy/<id>;
// - performer[0]: HealthcareService/<serviceId> or Practitioner/<userId>;
// - priority routine | urgent | stat (default routine);
// - the question: reasonCode[0].text, else note[0].text; the history: the
//   other notes.
// Other elements are ignored; the requester is always the caller.
import type { Annotation, CodeableConcept, Reference, ServiceRequest } from '@medplum/fhirtypes';
import { DomainError } from '../errors';
import { MAX_HISTORY, MAX_QUESTION, MAX_STUDIES } from '../referrals/referral-types';
import type { ReferralPriority } from '../referrals/due-time';
import { type TokenValue } from './search-params';

export type StudyPointer = { uid: string } | { studyRef: string };

export interface ServiceRequestInput {
  send: boolean;
  subject: { identifier: TokenValue } | { patientRef: string };
  studies: StudyPointer[];
  addressee: { serviceId: string } | { userId: string };
  /** The element the addressee came from (for the errors of its resolution) */
  performer: string;
  priority: ReferralPriority;
  question: string;
  history: string;
}

const ID = /^[A-Za-z0-9\-.]{1,64}$/;
const UID = /^[0-9.]{1,64}$/;

/** A 400 naming the element (OperationOutcome.issue.expression) */
export function invalidElement(expression: string, message: string): DomainError {
  return new DomainError('INVALID_INPUT', `invalid ${expression}`, { userMessage: `${expression}: ${message}`, fields: { [expression]: message } });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : '';
}

function subjectOf(subject: unknown): ServiceRequestInput['subject'] {
  const where = 'ServiceRequest.subject';
  if (!isObject(subject)) throw invalidElement(where, 'required: the Patient, by identifier ({"identifier": {"system": …, "value": "<PatientID>"}}).');
  const reference = text(subject.reference);
  if (reference) {
    const match = /^Patient\/(.+)$/.exec(reference);
    if (!match || !ID.test(match[1])) throw invalidElement(`${where}.reference`, 'must be Patient/<id>.');
    return { patientRef: match[1] };
  }
  if (subject.type !== undefined && subject.type !== 'Patient') throw invalidElement(`${where}.type`, 'must be Patient.');
  const identifier = subject.identifier;
  if (!isObject(identifier) || !text(identifier.value)) throw invalidElement(`${where}.identifier.value`, "required: the patient's ID (PatientID).");
  if (identifier.system !== undefined && !text(identifier.system)) throw invalidElement(`${where}.identifier.system`, 'must be a URI when given.');
  return { identifier: { system: identifier.system === undefined ? undefined : text(identifier.system), value: text(identifier.value) } };
}

function studyOf(entry: unknown, index: number): StudyPointer {
  const where = `ServiceRequest.supportingInfo[${index}]`;
  if (!isObject(entry)) throw invalidElement(where, 'must be a reference to an ImagingStudy.');
  const reference = text(entry.reference);
  if (entry.type !== undefined && entry.type !== 'ImagingStudy') throw invalidElement(`${where}.type`, 'only ImagingStudy references are accepted here.');
  if (reference) {
    const match = /^ImagingStudy\/(.+)$/.exec(reference);
    if (!match || !ID.test(match[1])) throw invalidElement(`${where}.reference`, 'must be ImagingStudy/<id>.');
    return { studyRef: match[1] };
  }
  const identifier = entry.identifier;
  if (!isObject(identifier) || !text(identifier.value)) throw invalidElement(where, 'must reference an ImagingStudy by identifier ({"system": "urn:dicom:uid", "value": "urn:oid:<Study Instance UID>"}) or as ImagingStudy/<id>.');
  if (identifier.system !== undefined && identifier.system !== 'urn:dicom:uid') throw invalidElement(`${where}.identifier.system`, 'must be urn:dicom:uid.');
  const value = text(identifier.value);
  const uid = value.startsWith('urn:oid:') ? value.slice('urn:oid:'.length) : value;
  if (!UID.test(uid)) throw invalidElement(`${where}.identifier.value`, 'must be urn:oid:<Study Instance UID>.');
  return { uid };
}

function performerOf(performers: unknown): Pick<ServiceRequestInput, 'addressee' | 'performer'> {
  const where = 'ServiceRequest.performer[0]';
  if (!Array.isArray(performers) || performers.length === 0) throw invalidElement('ServiceRequest.performer', 'required: the HealthcareService (HealthcareService/<id>) or the expert (Practitioner/<id>) to ask.');
  if (performers.length > 1) throw invalidElement('ServiceRequest.performer', 'name one performer: a case goes to one service or one expert.');
  const performer = performers[0] as Reference;
  const match = /^([A-Za-z]+)\/(.+)$/.exec(text(isObject(performer) ? performer.reference : undefined));
  if (!match) throw invalidElement(`${where}.reference`, 'required: HealthcareService/<id> or Practitioner/<id>.');
  const [, type, id] = match;
  if (type === 'Organization' || type === 'PractitionerRole') {
    throw invalidElement(`${where}.reference`, `a case goes to a service (HealthcareService/<id>) or an expert (Practitioner/<id>), not to ${type === 'Organization' ? 'an Organization' : 'a PractitionerRole'}.`);
  }
  if (type !== 'HealthcareService' && type !== 'Practitioner') throw invalidElement(`${where}.reference`, 'must be HealthcareService/<id> or Practitioner/<id>.');
  if (!ID.test(id)) throw invalidElement(`${where}.reference`, `${type}/<id>: not an id.`);
  return { addressee: type === 'HealthcareService' ? { serviceId: id } : { userId: id }, performer: `${type}/${id}` };
}

const PRIORITY_OF: Record<string, ReferralPriority> = { routine: 'ROUTINE', urgent: 'URGENT', stat: 'STAT' };

function notesOf(notes: unknown): string[] {
  if (notes === undefined) return [];
  if (!Array.isArray(notes)) throw invalidElement('ServiceRequest.note', 'must be a list of notes ({"text": …}).');
  return notes.map((note: Annotation, index) => {
    if (!isObject(note) || typeof note.text !== 'string') throw invalidElement(`ServiceRequest.note[${index}].text`, 'required (markdown text).');
    return note.text.trim();
  });
}

export function readServiceRequestInput(body: unknown): ServiceRequestInput {
  if (!isObject(body) || body.resourceType !== 'ServiceRequest') throw invalidElement('ServiceRequest', 'send a ServiceRequest resource ("resourceType": "ServiceRequest").');
  const request = body as Partial<ServiceRequest> & Record<string, unknown>;
  if (request.status !== 'active' && request.status !== 'draft') throw invalidElement('ServiceRequest.status', 'must be active (send the case) or draft (keep it as a draft).');
  if (request.intent !== 'order') throw invalidElement('ServiceRequest.intent', 'must be order.');
  const subject = subjectOf(request.subject);

  const supportingInfo = request.supportingInfo as unknown;
  if (!Array.isArray(supportingInfo) || supportingInfo.length === 0) throw invalidElement('ServiceRequest.supportingInfo', 'required: the studies to read (ImagingStudy references), the one the case is about first.');
  if (supportingInfo.length > MAX_STUDIES) throw invalidElement('ServiceRequest.supportingInfo', `at most ${MAX_STUDIES} studies.`);
  const studies = supportingInfo.map(studyOf);

  const priority = request.priority === undefined ? 'ROUTINE' : PRIORITY_OF[String(request.priority)];
  if (!priority) throw invalidElement('ServiceRequest.priority', 'must be routine, urgent or stat.');

  const reasonCode = request.reasonCode as unknown;
  if (reasonCode !== undefined && (!Array.isArray(reasonCode) || !reasonCode.every(isObject))) throw invalidElement('ServiceRequest.reasonCode', 'must be a list of CodeableConcepts.');
  const reason = text((reasonCode as CodeableConcept[] | undefined)?.[0]?.text);
  const notes = notesOf(request.note);
  const question = reason || notes[0] || '';
  const history = (reason ? notes : notes.slice(1)).filter(Boolean).join('\n\n');
  const questionAt = reason ? 'ServiceRequest.reasonCode[0].text' : 'ServiceRequest.note[0].text';
  if (!question) throw invalidElement('ServiceRequest.reasonCode[0].text', 'required: the clinical question (reasonCode[0].text, or the first note).');
  if (question.length > MAX_QUESTION) throw invalidElement(questionAt, `use at most ${MAX_QUESTION} characters.`);
  if (history.length > MAX_HISTORY) throw invalidElement('ServiceRequest.note', `the history uses at most ${MAX_HISTORY} characters.`);

  return { send: request.status === 'active', subject, studies, ...performerOf(request.performer), priority, question, history };
}
