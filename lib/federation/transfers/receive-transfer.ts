// The receiving node's half of a transfer: the inventory (what it already holds, so the
// sender resumes without duplicates) and the IN row that shows the arrival's progress to the
// receiving facility, updated after every STOW-RS batch.
import { z } from 'zod';
import type { Database } from '../../../prisma/database';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { authorizePeerStore } from '../../policy/federation-access';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';


/** FederatedTransfer.sourceType values the receiver joins a transfer to (a notice's images, a case's studies); other sources stay at the sender */
export const JOINED_TRANSFER_SOURCES = ['transfer-notice', 'referral'] as const;
const UID = z.string().regex(/^[0-9.]{1,64}$/);

export const ZInventory = z.object({
  transferId: z.string().min(1).max(64),
  studyInstanceUid: UID,
  facilityId: z.string().min(1).max(64),
  total: z.number().int().min(0).max(1_000_000),
  priority: z.number().int().min(0).max(10).optional(),
  /** Why it is sent, when the receiver has something to join it to: an emergency notice ('transfer-notice') or a second-opinion case ('referral'), by its id at the sender */
  source: z.object({ type: z.enum(JOINED_TRANSFER_SOURCES), id: z.string().min(1).max(64) }).optional(),
  instances: z.array(z.object({ sopInstanceUid: UID, sha256: z.string().regex(/^[0-9a-f]{64}$/) })).max(100_000),
});

export interface InventoryAnswer {
  have: string[];
}

type Peer = { id: string; nodeId: string; name: string };

export async function receiveInventory(db: Database, peer: Peer, actor: NodeActor, body: unknown, sourceIp: string): Promise<InventoryAnswer> {
  const parsed = ZInventory.safeParse(body);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', `inventory: ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  const input = parsed.data;
  await authorizePeerStore(db, input.facilityId);
  const mirror = await mirrorUser(db, peer, actor);
  const held = await db.instance.findMany({
    where: { sopInstanceUid: { in: input.instances.map((instance) => instance.sopInstanceUid) }, series: { study: { facilityId: input.facilityId, studyInstanceUid: input.studyInstanceUid } } },
    select: { sopInstanceUid: true, sha256: true },
  });
  const wanted = new Map(input.instances.map((instance) => [instance.sopInstanceUid, instance.sha256]));
  const have = held.filter((row) => wanted.get(row.sopInstanceUid) === row.sha256).map((row) => row.sopInstanceUid);
  const key = { peerId_direction_transferId: { peerId: peer.id, direction: 'IN', transferId: input.transferId } };
  const existing = await db.federatedTransfer.findUnique({ where: key, select: { id: true, status: true } });
  if (existing && existing.status === 'DONE' && have.length === input.total) return { have };
  await db.$transaction(async (tx) => {
    const row = await tx.federatedTransfer.upsert({
      where: key,
      create: {
        direction: 'IN', peerId: peer.id, transferId: input.transferId, studyInstanceUid: input.studyInstanceUid, localFacilityId: input.facilityId,
        remoteFacilityId: mirror.facilityId, requestedById: mirror.userId, requestedByName: mirror.label, priority: input.priority ?? 0, sourceType: input.source?.type ?? null, sourceId: input.source?.id ?? null,
        status: have.length >= input.total ? 'DONE' : 'RECEIVING', total: input.total, done: have.length, skipped: have.length,
        finishedAt: have.length >= input.total ? new Date() : null,
      },
      update: { total: input.total, done: have.length, status: have.length >= input.total ? 'DONE' : 'RECEIVING' },
      select: { id: true },
    });
    if (!existing) {
      await recordAudit(tx, {
        actor: mirror.label, actorUserId: mirror.userId, sourceIp, outcome: 'SUCCESS', action: 'federation.receive', facilityId: input.facilityId, studyUid: input.studyInstanceUid,
        resource: `federated-transfer:${row.id}`, details: { transferId: row.id, peerNodeId: peer.nodeId, peerName: peer.name, remoteUser: mirror.label, total: input.total, done: have.length, state: 'RECEIVING' },
      });
    }
  });
  return { have };
}

/** The IN row a STOW-RS batch belongs to; NOT_FOUND without an inventory first. */
export async function transferForStore(db: Database, peerId: string, transferId: string): Promise<{ id: string; localFacilityId: string; studyInstanceUid: string; total: number; status: string; sourceType: string | null; sourceId: string | null }> {
  const row = await db.federatedTransfer.findUnique({ where: { peerId_direction_transferId: { peerId, direction: 'IN', transferId: transferId.slice(0, 64) } }, select: { id: true, localFacilityId: true, studyInstanceUid: true, total: true, status: true, sourceType: true, sourceId: true } });
  if (!row) throw new DomainError('NOT_FOUND', `no transfer ${transferId} announced by this node (send its inventory first)`);
  await authorizePeerStore(db, row.localFacilityId);
  return row;
}

/**
 * After a STOW-RS batch: `stored` more of the transfer's instances arrived (the inventory set
 * the count at the start of each attempt, and an attempt sends only what was missing); DONE
 * once all arrived.
 */
export async function recordArrival(db: Database, transfer: { id: string; localFacilityId: string; studyInstanceUid: string; total: number }, stored: number, peer: Peer, mirrorLabel: string, sourceIp: string): Promise<void> {
  if (stored <= 0) return;
  const finished = await db.$transaction(async (tx) => {
    const row = await tx.federatedTransfer.update({ where: { id: transfer.id }, data: { done: { increment: stored } }, select: { done: true, total: true, status: true } });
    if (row.done < row.total || row.status !== 'RECEIVING') return null;
    const changed = await tx.federatedTransfer.updateMany({ where: { id: transfer.id, status: 'RECEIVING' }, data: { status: 'DONE', done: row.total, finishedAt: new Date() } });
    return changed.count === 1 ? row.total : null;
  });
  if (finished !== null) {
    await recordAudit(db, {
      actor: mirrorLabel, actorUserId: null, sourceIp, outcome: 'SUCCESS', action: 'federation.receive', facilityId: transfer.localFacilityId, studyUid: transfer.studyInstanceUid,
      resource: `federated-transfer:${transfer.id}`, details: { transferId: transfer.id, peerNodeId: peer.nodeId, peerName: peer.name, remoteUser: mirrorLabel, total: transfer.total, done: finished, state: 'DONE' },
    });
  }
}
