// How a Telepacs patient (one facility's Patient row) is named in FHIR: a
// reference Patient/<row id> (this API serves no Patient resource; the id is
// what ?subject= takes), the name as display, and the MRN as identifier:
// PatientID (0010,0020) under the system of its IssuerOfPatientID (0010,0021).
import type { Identifier, Patient, Reference } from '@medplum/fhirtypes';

export interface PatientRow {
  id: string;
  patientId: string;
  issuer: string;
  name: string;
}

const URI = /^(urn:|https?:\/\/)/i;

/**
 * The identifier system of an issuer: the issuer itself when it is a URI,
 * urn:telepacs:issuer:<issuer> otherwise; none for an empty issuer.
 */
export function identifierSystemOf(issuer: string): string | undefined {
  if (!issuer) return undefined;
  return URI.test(issuer) ? issuer : `urn:telepacs:issuer:${encodeURIComponent(issuer)}`;
}

export function patientIdentifier(patient: PatientRow): Identifier {
  const system = identifierSystemOf(patient.issuer);
  return system ? { use: 'usual', system, value: patient.patientId } : { use: 'usual', value: patient.patientId };
}

/** DICOM PN "Family^Given^Middle^Prefix^Suffix" as people read it: "Given Family" */
export function displayName(personName: string): string {
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = personName.split('=')[0].split('^');
  return [prefix, given, middle, family, suffix].map((part) => part.trim()).filter(Boolean).join(' ');
}

export function patientReference(patient: PatientRow): Reference<Patient> {
  const display = displayName(patient.name);
  return { reference: `Patient/${patient.id}`, type: 'Patient', identifier: patientIdentifier(patient), ...(display ? { display } : {}) };
}
