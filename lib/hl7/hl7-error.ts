// An HL7 message we cannot accept, answered with AE (or AR) and an ERR segment.
// The codes are HL7 table 0357 (Message error condition codes).
export const HL7_ERROR_CODES = {
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
} as const;

export type Hl7ErrorCode = keyof typeof HL7_ERROR_CODES;

export class Hl7Error extends Error {
  /**
   * @param code table 0357
   * @param message what the sender's interface engineer reads in ERR and MSA-3 (no patient data)
   * @param location segment and field: "PID-3", "ORC-1"
   * @param reject AR instead of AE: the message as such is refused (unknown sender, wrong processing ID), not its content
   */
  constructor(
    readonly code: Hl7ErrorCode,
    message: string,
    readonly location = '',
    readonly reject = false,
  ) {
    super(message);
    this.name = 'Hl7Error';
  }
}
