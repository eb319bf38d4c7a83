// Whose a sending system is: a pair of HL7_SENDERS (the home facility's), else
// an Hl7Sender row an administrator registered for their facility. The
// configuration wins, like DICOM_PEERS. MSH-3/4 are compared exactly, trimmed.
import type { Database } from '../../prisma/database';
import { findHomeFacilityId } from '../bootstrap/ensure-defaults';
import type { Hl7Config } from '../config/config';

export interface KnownHl7Sender {
  facilityId: string;
  source: 'configuration' | 'database';
}

export async function findHl7Sender(db: Database, config: Pick<Hl7Config, 'senders'>, application: string, sendingFacility: string): Promise<KnownHl7Sender | null> {
  if (!application) return null;
  if (config.senders.some((sender) => sender.application === application && sender.facility === sendingFacility)) {
    const home = await findHomeFacilityId(db);
    return home ? { facilityId: home, source: 'configuration' } : null;
  }
  const row = await db.hl7Sender.findUnique({
    where: { application_sendingFacility: { application, sendingFacility } },
    select: { facilityId: true, facility: { select: { disabledAt: true } } },
  });
  if (!row || row.facility.disabledAt) return null;
  return { facilityId: row.facilityId, source: 'database' };
}
