// The acknowledgment of one received message (HL7 v2.5.1 section 2.9): MSH with
// sender and receiver swapped, MSA with the code and the message's control ID,
// and for an error an ERR segment in the form of the message's version
// (2.5 and later: ERR-2 location, ERR-3 code from table 0357, ERR-4 severity,
// ERR-8 user message; before 2.5: ERR-1 location^code).
import { randomUUID } from 'node:crypto';
import { escapeHl7, hl7Now, type Hl7Header } from './hl7-message';
import { HL7_ERROR_CODES, type Hl7Error } from './hl7-error';

/** Original mode: AA/AE/AR. Enhanced mode: CA/CE/CR (commit), then AA/AE/AR as asked by MSH-16. */
export type AckCode = 'AA' | 'AE' | 'AR' | 'CA' | 'CE' | 'CR';

export interface AckInput {
  /** The received message's header; missing fields (a message we could not read) are left empty */
  header: Partial<Hl7Header>;
  code: AckCode;
  /** MSA-3 / ERR: what went wrong, for the sender's interface engineer */
  error?: Hl7Error;
  /** MSA-3 text on success, when there is something to say */
  text?: string;
  /** MSH-3 of the answer */
  ourApplication: string;
  now?: Date;
}

export function buildAck({ header, code, error, text, ourApplication, now }: AckInput): string {
  const version = header.version || '2.5.1';
  const event = header.triggerEvent ?? '';
  const modern = compareVersion(version, '2.5') >= 0;
  const messageType = modern ? `ACK^${event}^ACK` : `ACK^${event}`;
  const msh = [
    'MSH',
    '^~\\&',
    escapeHl7(ourApplication),
    escapeHl7(header.receivingFacility ?? ''),
    escapeHl7(header.sendingApplication ?? ''),
    escapeHl7(header.sendingFacility ?? ''),
    hl7Now(now),
    '',
    messageType,
    randomUUID().replace(/-/g, '').slice(0, 20),
    header.processingId || 'P',
    version,
  ].join('|');
  const message = error ? error.message : (text ?? '');
  const msa = ['MSA', code, escapeHl7(header.controlId ?? ''), escapeHl7(message.slice(0, 80))].join('|');
  const segments = [msh, msa];
  if (error) {
    const [segment = '', field = ''] = error.location.split('-');
    if (modern) {
      // ERR-2 ERL segment^sequence^field, ERR-3 CWE, ERR-4 severity, ERR-8 user message
      const location = segment ? `${segment}^1${field ? `^${field}` : ''}` : '';
      segments.push(['ERR', '', location, `${error.code}^${HL7_ERROR_CODES[error.code]}^HL70357`, 'E', '', '', '', escapeHl7(error.message)].join('|'));
    } else {
      // ERR-1 ELD: segment^sequence^field^code (a CE in subcomponents)
      segments.push(['ERR', [segment, segment ? '1' : '', field, `${error.code}&${HL7_ERROR_CODES[error.code]}&HL70357`].join('^')].join('|'));
    }
  }
  return `${segments.join('\r')}\r`;
}

/** 2.3.1 < 2.5 < 2.5.1 < 2.10 */
export function compareVersion(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let index = 0; index < Math.max(left.length, right.length); index += 1) {
    const diff = (left[index] ?? 0) - (right[index] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
