// Process-wide settings of dcmjs-dimse (its Implementation and log are static).
import { Implementation, log } from 'dcmjs-dimse';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from './constants';

let configured = false;

export function configureDcmjsDimse(): void {
  if (configured) return;
  configured = true;
  // PS3.7 D.3.3.2: the A-ASSOCIATE PDUs name our implementation, not the library's
  Implementation.setImplementationClassUid(IMPLEMENTATION_CLASS_UID);
  Implementation.setImplementationVersion(IMPLEMENTATION_VERSION_NAME);
  // dcmjs-dimse logs every PDU to the console; our handlers log what matters
  // through the archive's logger (JSON lines) instead.
  log.setLevel('silent');
}
