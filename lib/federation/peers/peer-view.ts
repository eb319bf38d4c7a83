// A paired node as the node administrator's page and API show it.
import type { Database } from '../../../prisma/database';
import { DomainError } from '../../errors';

export interface PeerView {
  id: string;
  nodeId: string;
  name: string;
  url: string;
  /** ACTIVE | SUSPENDED | UNPAIRED */
  status: string;
  /** Who suspended or unpaired: LOCAL (this node's administrator) | REMOTE (theirs) | null */
  statusBy: string | null;
  statusChangedAt: string;
  fingerprint: string;
  pairedAt: string;
  lastSeenAt: string | null;
  facilitiesSyncedAt: string | null;
  /** Its facilities, as mirrored here (what transfers and referrals are addressed to) */
  facilities: { id: string; name: string; code: string; remoteId: string; disabled: boolean }[];
}

const SELECT = { id: true, nodeId: true, name: true, url: true, status: true, statusBy: true, statusChangedAt: true, fingerprint: true, createdAt: true, lastSeenAt: true, facilitiesSyncedAt: true } as const;

type PeerRow = { id: string; nodeId: string; name: string; url: string; status: string; statusBy: string | null; statusChangedAt: Date; fingerprint: string; createdAt: Date; lastSeenAt: Date | null; facilitiesSyncedAt: Date | null };

async function toView(db: Database, rows: PeerRow[]): Promise<PeerView[]> {
  const facilities = await db.facility.findMany({ where: { nodePeerId: { in: rows.map((row) => row.id) } }, select: { id: true, name: true, code: true, remoteId: true, nodePeerId: true, disabledAt: true }, orderBy: { name: 'asc' } });
  return rows.map((row) => ({
    id: row.id,
    nodeId: row.nodeId,
    name: row.name,
    url: row.url,
    status: row.status,
    statusBy: row.statusBy,
    statusChangedAt: row.statusChangedAt.toISOString(),
    fingerprint: row.fingerprint,
    pairedAt: row.createdAt.toISOString(),
    lastSeenAt: row.lastSeenAt?.toISOString() ?? null,
    facilitiesSyncedAt: row.facilitiesSyncedAt?.toISOString() ?? null,
    facilities: facilities.filter((facility) => facility.nodePeerId === row.id).map((facility) => ({ id: facility.id, name: facility.name, code: facility.code, remoteId: facility.remoteId ?? '', disabled: facility.disabledAt !== null })),
  }));
}

export async function peerView(db: Database, peerId: string): Promise<PeerView> {
  const row = await db.nodePeer.findUnique({ where: { id: peerId }, select: SELECT });
  if (!row) throw new DomainError('NOT_FOUND', `node peer ${peerId} not found`, { userMessage: 'Not found.' });
  return (await toView(db, [row]))[0];
}

/** Every peer, unpaired ones last. */
export async function listPeerViews(db: Database): Promise<PeerView[]> {
  const rows = await db.nodePeer.findMany({ select: SELECT, orderBy: [{ name: 'asc' }] });
  const order = (status: string) => (status === 'UNPAIRED' ? 1 : 0);
  return toView(db, rows.sort((a, b) => order(a.status) - order(b.status)));
}
