// One HL7 v2 message read the way the bridge needs it: the bytes decoded by the
// character set MSH-18 names, split by @medplum/core's Hl7Message (segments,
// fields, repetitions, components with the message's own separators), values
// unescaped (\F\ \S\ \T\ \R\ \E\, \X..\ hex), and the header's fields named.
import { Hl7Message, type Hl7Segment } from '@medplum/core';
import { Hl7Error } from './hl7-error';

export interface Hl7Header {
  sendingApplication: string; // MSH-3.1
  sendingFacility: string; // MSH-4.1
  receivingApplication: string; // MSH-5.1
  receivingFacility: string; // MSH-6.1
  messageType: string; // MSH-9.1: ADT, ORM, OMI, ORU, ACK
  triggerEvent: string; // MSH-9.2: A08, O01
  structure: string; // MSH-9.3
  controlId: string; // MSH-10
  processingId: string; // MSH-11.1: P, T, D
  version: string; // MSH-12.1
  /** MSH-15 / MSH-16: enhanced acknowledgment mode when either is valued (AL, NE, ER, SU) */
  acceptAckType: string;
  applicationAckType: string;
  characterSet: string; // MSH-18
}

/** The audit trail's actor for a sending system: HL7:RIS^HOSPITAL */
export function hl7Actor(header: Partial<Pick<Hl7Header, 'sendingApplication' | 'sendingFacility'>>): string {
  return `HL7:${header.sendingApplication ?? ''}^${header.sendingFacility ?? ''}`;
}

/** Where a value is: a segment (its first occurrence unless given), field, component (1-based), repetition (0-based). */
export interface FieldRef {
  component?: number;
  repetition?: number;
  subcomponent?: number;
}

export class ParsedHl7 {
  readonly header: Hl7Header;

  constructor(readonly message: Hl7Message, readonly text: string) {
    const msh = message.getSegment('MSH');
    if (!msh) throw new Hl7Error(100, 'the message does not begin with an MSH segment', 'MSH');
    const get = (field: number, component = 1) => this.valueOf(msh, field, { component });
    this.header = {
      sendingApplication: get(3).trim(),
      sendingFacility: get(4).trim(),
      receivingApplication: get(5).trim(),
      receivingFacility: get(6).trim(),
      messageType: get(9, 1).trim().toUpperCase(),
      triggerEvent: get(9, 2).trim().toUpperCase(),
      structure: get(9, 3).trim().toUpperCase(),
      controlId: get(10).trim(),
      processingId: get(11).trim(),
      version: get(12).trim(),
      acceptAckType: get(15).trim().toUpperCase(),
      applicationAckType: get(16).trim().toUpperCase(),
      characterSet: msh.getField(18)?.toString().trim() ?? '',
    };
  }

  /** MSH-9 as people write it: ADT^A08 */
  get typeLabel(): string {
    return [this.header.messageType, this.header.triggerEvent].filter(Boolean).join('^');
  }

  segments(name: string): Hl7Segment[] {
    return this.message.getAllSegments(name);
  }

  segment(name: string): Hl7Segment | undefined {
    return this.message.getSegment(name);
  }

  /** The unescaped, trimmed value of a field (of the first such segment, or the one given). */
  value(segment: string | Hl7Segment | undefined, field: number, ref: FieldRef = {}): string {
    const seg = typeof segment === 'string' ? this.segment(segment) : segment;
    return seg ? this.valueOf(seg, field, ref).trim() : '';
  }

  /** How many repetitions a field has (0 when empty). */
  repetitions(segment: Hl7Segment | undefined, field: number): number {
    const value = segment?.getField(field);
    if (!value || value.toString() === '') return 0;
    return value.components.length;
  }

  private valueOf(segment: Hl7Segment, field: number, { component = 1, repetition = 0, subcomponent }: FieldRef): string {
    const value = segment.getField(field);
    if (!value) return '';
    // MSH-1 and MSH-2 are the separators themselves
    if (segment.name === 'MSH' && field <= 2) return value.toString();
    const raw = value.components[repetition]?.[component - 1] ?? '';
    const sub = subcomponent === undefined ? raw : (raw.split(this.message.context.subcomponentSeparator)[subcomponent - 1] ?? '');
    return unescapeHl7(sub, this.message.context);
  }
}

/**
 * Bytes as received → text. MSH-18 names the character set (HL7 table 0211):
 * "UNICODE UTF-8" or absent with valid UTF-8 → UTF-8; "8859/1" (and absent
 * bytes that are not UTF-8) → Latin-1; ASCII is both.
 */
export function decodeHl7(bytes: Buffer): { text: string; characterSet: string } {
  const head = bytes.subarray(0, 2048).toString('latin1');
  const characterSet = (head.split('\r')[0]?.split(head[3] ?? '|')[17] ?? '').trim().toUpperCase();
  if (characterSet.startsWith('8859/1') || characterSet === 'ISO IR100') return { text: withoutNul(bytes.toString('latin1')), characterSet };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!characterSet && text.includes('\uFFFD')) return { text: withoutNul(bytes.toString('latin1')), characterSet: '8859/1 (guessed)' };
  return { text: withoutNul(text), characterSet };
}

/** A NUL inside a message is no HL7 character and no database text can hold it: shown as U+FFFD. */
function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replace(/\u0000/g, '\uFFFD') : text;
}

/** Parses a decoded message; a message that is not HL7 v2 is an Hl7Error(100). */
export function parseHl7(text: string): ParsedHl7 {
  // Segments end in CR; senders that use LF or CRLF are read too
  const normalized = text.replace(/\r\n|\n/g, '\r').replace(/^[\s\0]+/, '');
  if (!normalized.startsWith('MSH') || normalized.length < 8) throw new Hl7Error(100, 'the message does not begin with an MSH segment', 'MSH');
  let message: Hl7Message;
  try {
    message = Hl7Message.parse(normalized);
  } catch (error) {
    throw new Hl7Error(100, `the message cannot be read: ${error instanceof Error ? error.message : String(error)}`, 'MSH');
  }
  return new ParsedHl7(message, normalized);
}

const HEX_PAIR = /^[0-9A-Fa-f]+$/;

/** HL7 v2 escape sequences (2.5.1 section 2.7) back to text. */
export function unescapeHl7(value: string, context: { escapeCharacter: string; fieldSeparator: string; componentSeparator: string; subcomponentSeparator: string; repetitionSeparator: string }): string {
  const escape = context.escapeCharacter;
  if (!escape || !value.includes(escape)) return value;
  let out = '';
  let index = 0;
  while (index < value.length) {
    const start = value.indexOf(escape, index);
    if (start === -1) {
      out += value.slice(index);
      break;
    }
    const end = value.indexOf(escape, start + 1);
    if (end === -1) {
      out += value.slice(index);
      break;
    }
    out += value.slice(index, start);
    const code = value.slice(start + 1, end);
    switch (code[0]) {
      case 'F':
        out += code.length === 1 ? context.fieldSeparator : '';
        break;
      case 'S':
        out += code.length === 1 ? context.componentSeparator : '';
        break;
      case 'T':
        out += code.length === 1 ? context.subcomponentSeparator : '';
        break;
      case 'R':
        out += code.length === 1 ? context.repetitionSeparator : '';
        break;
      case 'E':
        out += code.length === 1 ? escape : '';
        break;
      case 'X':
        if (HEX_PAIR.test(code.slice(1)) && code.length % 2 === 1) out += Buffer.from(code.slice(1), 'hex').toString('latin1');
        break;
      case '.':
        // Formatting commands (\.br\ and friends): a line break where one is meant
        if (code === '.br') out += '\n';
        break;
      default:
        // Highlighting (\H\ \N\) and unknown sequences carry no text
        break;
    }
    index = end + 1;
  }
  return out;
}

/** Text → a value safe inside a field (the default separators). */
export function escapeHl7(value: string): string {
  return value
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/&/g, '\\T\\')
    .replace(/~/g, '\\R\\')
    .replace(/\r\n|\r|\n/g, '\\.br\\');
}

/** HL7 DTM/TS (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ]) → DICOM DA and TM parts. */
export function splitHl7DateTime(value: string): { date: string; time: string } {
  const digits = value.replace(/[+-]\d{4}$/, '').replace(/[^0-9.]/g, '');
  const date = digits.slice(0, 8);
  const time = digits.slice(8).split('.')[0] ?? '';
  return { date: /^\d{8}$/.test(date) ? date : '', time: /^\d{2,6}$/.test(time) ? time.padEnd(time.length <= 2 ? 4 : time.length, '0') : '' };
}

/** Now as an HL7 DTM with seconds: 20261207064327 */
export function hl7Now(now = new Date()): string {
  return now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
