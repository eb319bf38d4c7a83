// What the bridge's operations need: the database, the archive (patient updates
// and merges go through it), the configuration (HL7_SENDERS, our MSH-3), a logger.
import type { Archive } from '../../pacs-core/archive';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import type { Config } from '../config/config';

export interface Hl7Context {
  db: Database;
  archive: Archive;
  config: Pick<Config, 'hl7' | 'regionPatientIdIssuer'>;
  logger: Logger;
}

/** The stored message a handler works for. */
export interface Hl7Source {
  facilityId: string;
  messageId: string;
  at: Date;
}

/** What a handler did, for the message row, the ACK and the audit. */
export interface Hl7Outcome {
  patientRef?: string;
  orderRef?: string;
  /** MSA-3 on success */
  text?: string;
  /** An event the bridge does not use (ADT^A03): acknowledged AA, recorded as IGNORED */
  ignored?: boolean;
  /** Orders made or changed */
  orders?: number;
}
