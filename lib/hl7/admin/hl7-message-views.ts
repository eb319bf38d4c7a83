// The HL7 tab's words and shapes for the message log (server and client).
export const HL7_MESSAGE_STATUSES = ['RECEIVED', 'PROCESSED', 'IGNORED', 'DUPLICATE', 'ERROR', 'REJECTED', 'QUEUED', 'SENT', 'FAILED'] as const;
export type Hl7MessageStatus = (typeof HL7_MESSAGE_STATUSES)[number];

/** Inbound messages an administrator may process again: those that failed */
export const REPROCESSABLE_STATUSES: readonly string[] = ['ERROR', 'REJECTED'];

export const HL7_STATUS_WORDS: Record<Hl7MessageStatus, string> = {
  RECEIVED: 'Received, not processed yet',
  PROCESSED: 'Processed',
  IGNORED: 'Acknowledged, not used',
  DUPLICATE: 'Repeat of an earlier message',
  ERROR: 'Error',
  REJECTED: 'Rejected',
  QUEUED: 'Waiting to be sent',
  SENT: 'Sent',
  FAILED: 'Sending failed',
};

export interface Hl7MessageRow {
  id: string;
  direction: 'IN' | 'OUT';
  receivedAt: Date;
  processedAt: Date | null;
  sendingApplication: string;
  sendingFacility: string;
  messageType: string;
  controlId: string;
  status: string;
  ackCode: string;
  ackText: string;
  attempts: number;
  /** No facility: a sender nobody registered (shown to the home facility's administrators) */
  unowned: boolean;
  reprocessable: boolean;
}

export interface Hl7MessageDetail extends Hl7MessageRow {
  version: string;
  remoteAddress: string;
  error: string;
  /** The message as received or sent, one segment per line */
  raw: string;
  /** The acknowledgment as sent (inbound) or received (outbound), one segment per line */
  ack: string;
}

/** HL7 separates segments with CR; people read lines. */
export function segmentLines(text: string): string {
  return text.replace(/\r\n|\r/g, '\n').replace(/\n$/, '');
}
