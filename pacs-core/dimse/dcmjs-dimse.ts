// dcmjs-dimse, loaded once and configured. Its UMD bundle hides its exports
// from Node's ESM named-import detection, so it is required as CommonJS;
// its own types still describe every value.
import { createRequire } from 'node:module';
import type * as DcmjsDimse from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './constants';

const dimse = createRequire(import.meta.url)('dcmjs-dimse') as typeof DcmjsDimse;

export const { Dataset, Scp, Transcoding, constants, requests, responses, association } = dimse;
export type Dataset = DcmjsDimse.Dataset;
export type Scp = DcmjsDimse.Scp;
export type Association = DcmjsDimse.association.Association;
export type PresentationContext = DcmjsDimse.association.PresentationContext;

let configured = false;

/** Process-wide settings (dcmjs-dimse's Implementation and log are static). */
export function configureDcmjsDimse(): void {
  if (configured) return;
  configured = true;
  // PS3.7 D.3.3.2: the A-ASSOCIATE PDUs name our implementation, not the library's
  dimse.Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
  dimse.Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
  // dcmjs-dimse logs every PDU to the console; our handlers log what matters
  // through the archive's logger (JSON lines) instead.
  dimse.log.setLevel('silent');
}
