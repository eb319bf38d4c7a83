// Called by the signature's transaction (lib/reports/sign-report.ts) for every
// newly signed version — the first signature, an amendment's, an addendum's.
// When the report's facility has an enabled HL7 destination, the outbound
// message row (QUEUED, its control ID chosen now) and the hl7.send-report job
// are written in that transaction: an outbox, so the RIS hears of every
// committed signature and of nothing that was rolled back.
// A second-opinion case's report (Report.referralId) answers the case, not the
// RIS's order: it is not sent.
import { randomBytes } from 'node:crypto';
import type { Prisma } from '../../../prisma/database';
import { enqueueJob } from '../../jobs/enqueue-job';

export interface SignedVersionRef {
  reportId: string;
  referralId: string | null;
  facilityId: string;
  versionId: string;
  version: number;
}

export interface SendReportJobPayload {
  /** The outbound Hl7Message row */
  messageId: string;
  reportId: string;
  version: number;
}

/** HL7 v2.5.1 MSH-10 is an ST of at most 20 characters */
export function newControlId(): string {
  return randomBytes(10).toString('hex');
}

/** The queued message's id, or null when the facility sends no reports. */
export async function queueReportForRis(tx: Prisma.TransactionClient, signed: SignedVersionRef): Promise<string | null> {
  if (signed.referralId) return null;
  const destination = await tx.hl7Destination.findUnique({ where: { facilityId: signed.facilityId }, select: { enabled: true, host: true, port: true } });
  if (!destination?.enabled) return null;
  const message = await tx.hl7Message.create({
    data: {
      direction: 'OUT',
      facilityId: signed.facilityId,
      messageType: 'ORU^R01',
      controlId: newControlId(),
      version: '2.5.1',
      // Built by the job (it needs the stored PDF); the row says QUEUED until then
      raw: '',
      remoteAddress: `${destination.host}:${destination.port}`,
      status: 'QUEUED',
      reportVersionRef: signed.versionId,
    },
    select: { id: true },
  });
  await enqueueJob<'hl7.send-report'>(tx, {
    type: 'hl7.send-report',
    key: `report-version:${signed.versionId}`,
    payload: { messageId: message.id, reportId: signed.reportId, version: signed.version },
    facilityId: signed.facilityId,
  });
  return message.id;
}
