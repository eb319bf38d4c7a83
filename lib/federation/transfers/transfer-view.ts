// A transfer between nodes as its sender (and the receiving facility) sees it: "312/500 at
// Regional hospital", and why it waits when it waits.
import type { Database } from '../../../prisma/database';
import { DomainError } from '../../errors';
import { mayViewTransfer, transferFacilitiesOf } from '../../policy/federation-access';

export interface TransferView {
  id: string;
  direction: 'OUT' | 'IN';
  status: string;
  studyInstanceUid: string;
  seriesUids: string[];
  total: number;
  done: number;
  skipped: number;
  priority: number;
  lastError: string | null;
  /** The other side: its facility and node */
  remote: { facility: string; node: string };
  requestedBy: string;
  createdAt: string;
  finishedAt: string | null;
  /** "312/500 at Regional hospital (Region node)" */
  progress: string;
}

type Row = {
  id: string; direction: string; status: string; studyInstanceUid: string; seriesUids: string; total: number; done: number; skipped: number; priority: number; lastError: string | null;
  remoteFacilityId: string; peerId: string; requestedByName: string; createdAt: Date; finishedAt: Date | null;
};

const SELECT = { id: true, direction: true, status: true, studyInstanceUid: true, seriesUids: true, total: true, done: true, skipped: true, priority: true, lastError: true, remoteFacilityId: true, peerId: true, requestedByName: true, createdAt: true, finishedAt: true } as const;

async function toViews(db: Database, rows: Row[]): Promise<TransferView[]> {
  const [facilities, peers] = await Promise.all([
    db.facility.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.remoteFacilityId))] } }, select: { id: true, name: true } }),
    db.nodePeer.findMany({ where: { id: { in: [...new Set(rows.map((row) => row.peerId))] } }, select: { id: true, name: true } }),
  ]);
  return rows.map((row) => {
    const facility = facilities.find((item) => item.id === row.remoteFacilityId)?.name ?? 'another facility';
    const node = peers.find((item) => item.id === row.peerId)?.name ?? 'another node';
    let seriesUids: string[] = [];
    try {
      seriesUids = JSON.parse(row.seriesUids) as string[];
    } catch {
      seriesUids = [];
    }
    const where = row.direction === 'OUT' ? `at ${facility} (${node})` : `from ${facility} (${node})`;
    return {
      id: row.id,
      direction: row.direction as 'OUT' | 'IN',
      status: row.status,
      studyInstanceUid: row.studyInstanceUid,
      seriesUids,
      total: row.total,
      done: row.done,
      skipped: row.skipped,
      priority: row.priority,
      lastError: row.lastError,
      remote: { facility, node },
      requestedBy: row.requestedByName,
      createdAt: row.createdAt.toISOString(),
      finishedAt: row.finishedAt?.toISOString() ?? null,
      progress: `${row.done}/${row.total} ${where}`,
    };
  });
}

/** One transfer, unchecked (the caller decided access). */
export async function transferView(db: Database, id: string): Promise<TransferView> {
  const row = await db.federatedTransfer.findUnique({ where: { id }, select: SELECT });
  if (!row) throw new DomainError('NOT_FOUND', `transfer ${id} not found`, { userMessage: 'Not found.' });
  return (await toViews(db, [row]))[0];
}

/** One transfer for a user who may see it; NOT_FOUND otherwise. */
export async function getTransferFor({ db }: { db: Database }, userId: string, id: string): Promise<TransferView> {
  const row = await db.federatedTransfer.findUnique({ where: { id: id.slice(0, 64) }, select: { ...SELECT, localFacilityId: true, requestedById: true } });
  if (!row || !(await mayViewTransfer(db, userId, row))) throw new DomainError('NOT_FOUND', `transfer ${id} not found`, { userMessage: 'Not found.' });
  return (await toViews(db, [row]))[0];
}

/** The transfers of the user's facilities, newest first (a study's, when studyInstanceUid is given). */
export async function listTransfersFor({ db }: { db: Database }, userId: string, filter: { studyInstanceUid?: string; limit?: number } = {}): Promise<TransferView[]> {
  const facilityIds = await transferFacilitiesOf(db, userId);
  const rows = await db.federatedTransfer.findMany({
    where: { OR: [{ localFacilityId: { in: facilityIds } }, { requestedById: userId }], ...(filter.studyInstanceUid ? { studyInstanceUid: filter.studyInstanceUid.slice(0, 64) } : {}) },
    select: SELECT,
    orderBy: { createdAt: 'desc' },
    take: Math.min(filter.limit ?? 50, 200),
  });
  return toViews(db, rows);
}

/** An incoming transfer as a notice's board or a case's page says it: "arriving 120/500", "500/500 arrived". */
export function arrivalWords(row: { status: string; done: number; total: number }): string {
  return row.status === 'DONE' ? `${row.total}/${row.total} arrived` : `arriving ${row.done}/${row.total}`;
}
