// An order that arrives after its images (the CT scanned first — an
// emergency — and the RIS placed the order afterwards, or a new order took a
// cancelled one's accession number): the studies of its facility that carry
// its Study Instance UID or accession number are checked as if their images
// had just arrived, with the same rules (link-study-to-orders.ts). Called by
// the HL7 order handler once the order is committed.
import type { Database } from '../../prisma/database';
import type { Logger } from '../../pacs-core/logger';
import { linkStudyToOrders, type LinkOutcome } from './link-study-to-orders';

export async function linkOrderToStoredImages(
  db: Database,
  logger: Logger,
  order: { facilityId: string; studyInstanceUid: string; accessionNumber: string },
): Promise<LinkOutcome> {
  const accession = order.accessionNumber.trim();
  const studies = await db.study.findMany({
    where: { facilityId: order.facilityId, OR: [{ studyInstanceUid: order.studyInstanceUid }, ...(accession ? [{ accessionNumber: accession }] : [])] },
    select: { studyInstanceUid: true },
    // One exam's images: a handful of studies at most; the oldest first, as they arrived
    orderBy: { createdAt: 'asc' },
    take: 20,
  });
  const outcome: LinkOutcome = { linked: [], counted: 0 };
  for (const study of studies) {
    const result = await linkStudyToOrders(db, logger, { facilityId: order.facilityId, studyInstanceUid: study.studyInstanceUid });
    outcome.linked.push(...result.linked);
    outcome.counted += result.counted;
  }
  return outcome;
}
