// PID (and MRG) → the facility's patient identity and demographics, as DICOM
// values. HL7 v2 (2.5.1 section 2.5.3): an empty field means "not sent, keep
// what you have"; "" (two quotes) means "delete the value".
import type { Hl7Segment } from '@medplum/core';
import { Hl7Error } from '../hl7-error';
import type { ParsedHl7 } from '../hl7-message';
import { splitHl7DateTime } from '../hl7-message';

export interface PidIdentity {
  patientId: string;
  /** PID-3.4 assigning authority (namespace ID), '' when none */
  issuer: string;
}

export interface PidDemographics extends PidIdentity {
  name?: string;
  sex?: string;
  birthDate?: string;
}

const DELETE = '""';

/** The identifier of a CX list: the repetition typed MR (medical record number), else the first. */
export function identifierOf(message: ParsedHl7, segment: Hl7Segment | undefined, field: number, location: string): PidIdentity {
  const count = message.repetitions(segment, field);
  let chosen = -1;
  for (let repetition = 0; repetition < count; repetition += 1) {
    if (!message.value(segment, field, { component: 1, repetition })) continue;
    if (chosen === -1) chosen = repetition;
    if (message.value(segment, field, { component: 5, repetition }).toUpperCase() === 'MR') {
      chosen = repetition;
      break;
    }
  }
  if (chosen === -1) throw new Hl7Error(101, `${location} (patient identifier) is empty`, location);
  const patientId = message.value(segment, field, { component: 1, repetition: chosen });
  // LO (PS3.5): 64 characters, no backslash (the DICOM value delimiter)
  if (patientId.length > 64 || patientId.includes('\\')) throw new Hl7Error(102, `${location}: a patient identifier has at most 64 characters and no backslash`, location);
  return { patientId, issuer: message.value(segment, field, { component: 4, repetition: chosen, subcomponent: 1 }) };
}

/** PID-3's identifier under an assigning authority (the region's), if the message carries one. */
export function identifierUnder(message: ParsedHl7, authority: string): string | null {
  const pid = message.segment('PID');
  for (let repetition = 0; repetition < message.repetitions(pid, 3); repetition += 1) {
    if (message.value(pid, 3, { component: 4, repetition, subcomponent: 1 }) !== authority) continue;
    const id = message.value(pid, 3, { component: 1, repetition });
    if (id) return id;
  }
  return null;
}

export function demographicsFromPid(message: ParsedHl7): PidDemographics {
  const pid = message.segment('PID');
  if (!pid) throw new Hl7Error(100, 'the message has no PID segment', 'PID');
  // PID-3 (PID-2, the external ID, only where a 2.3.1 sender leaves PID-3 empty)
  const identity = !message.value(pid, 3) && message.value(pid, 2) ? identifierOf(message, pid, 2, 'PID-2') : identifierOf(message, pid, 3, 'PID-3');
  return { ...identity, name: nameOf(message, pid), sex: sexOf(message, pid), birthDate: birthDateOf(message, pid) };
}

/** PID-5 XPN family^given^middle^suffix^prefix → DICOM PN family^given^middle^prefix^suffix. */
function nameOf(message: ParsedHl7, pid: Hl7Segment): string | undefined {
  const raw = pid.getField(5)?.toString().trim() ?? '';
  if (raw === '') return undefined;
  if (raw === DELETE) return '';
  // The legal name (type L) when several are sent
  let repetition = 0;
  for (let index = 0; index < message.repetitions(pid, 5); index += 1) {
    if (message.value(pid, 5, { component: 7, repetition: index }).toUpperCase() === 'L') {
      repetition = index;
      break;
    }
  }
  const part = (component: number) => message.value(pid, 5, { component, repetition, subcomponent: 1 }).replace(/[\\^=]/g, ' ').trim();
  const pn = [part(1), part(2), part(3), part(5), part(4)].join('^').replace(/\^+$/, '');
  if (pn.length > 64 * 5) throw new Hl7Error(102, 'PID-5: the patient name is too long for DICOM', 'PID-5');
  return pn;
}

function sexOf(message: ParsedHl7, pid: Hl7Segment): string | undefined {
  const raw = message.value(pid, 8);
  if (raw === '') return undefined;
  if (raw === DELETE) return '';
  const sex = raw.toUpperCase();
  // HL7 table 0001: M F O U A N; DICOM knows M F O
  if (sex === 'M' || sex === 'F' || sex === 'O') return sex;
  if (sex === 'U' || sex === 'A' || sex === 'N') return '';
  throw new Hl7Error(103, `PID-8: "${raw.slice(0, 8)}" is not an administrative sex (M, F, O, U, A, N)`, 'PID-8');
}

function birthDateOf(message: ParsedHl7, pid: Hl7Segment): string | undefined {
  const raw = message.value(pid, 7);
  if (raw === '') return undefined;
  if (raw === DELETE) return '';
  const { date } = splitHl7DateTime(raw);
  if (!date || !validDate(date)) throw new Hl7Error(102, `PID-7: "${raw.slice(0, 24)}" is not a date (YYYYMMDD)`, 'PID-7');
  return date;
}

function validDate(date: string): boolean {
  const parsed = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10).replace(/-/g, '') === date;
}
