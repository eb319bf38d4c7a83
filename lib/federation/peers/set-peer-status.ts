// Suspend, resume or unpair a peer, at once: from the next request on, the peer's signed
// requests are refused (401, verify-node-request.ts) and this node sends it nothing. The peer
// is told by a signed request (job federation.tell-status, retried while it is down), so its
// page shows who suspended; a peer that suspended us may resume, and we may not override it.
import { nodeAuditFacilityId } from '../federation-audit';
import type { AdminActor } from '../../admin/context';
import { administrationAudit } from '../../admin/administration-audit';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { enqueueJob } from '../../jobs/enqueue-job';
import { wakeJobRunners } from '../../jobs/job-signals';
import { authorizeNodeAdmin } from '../../policy/node-admin';
import type { Database } from '../../../prisma/database';
import type { FederationContext } from '../pairing/pair-nodes';
import { peerView, type PeerView } from './peer-view';

export type PeerAction = 'suspend' | 'resume' | 'unpair';
export type PeerStatus = 'ACTIVE' | 'SUSPENDED' | 'UNPAIRED';

const TARGET: Record<PeerAction, PeerStatus> = { suspend: 'SUSPENDED', resume: 'ACTIVE', unpair: 'UNPAIRED' };

export async function setPeerStatus(context: FederationContext, actor: AdminActor, peerId: string, action: unknown, now = new Date()): Promise<PeerView> {
  const { db } = context;
  await authorizeNodeAdmin(db, actor.userId);
  if (action !== 'suspend' && action !== 'resume' && action !== 'unpair') {
    throw new DomainError('INVALID_INPUT', `unknown peer action ${String(action)}`, { userMessage: 'Some fields need attention.', fields: { action: 'Choose suspend, resume or unpair.' } });
  }
  const to = TARGET[action];
  await db.$transaction(async (tx) => {
    const peer = await tx.nodePeer.findUnique({ where: { id: peerId }, select: { id: true, nodeId: true, name: true, status: true, statusBy: true } });
    if (!peer) throw new DomainError('NOT_FOUND', `node peer ${peerId} not found`, { userMessage: 'Not found.' });
    if (peer.status === 'UNPAIRED') throw new DomainError('CONFLICT', 'peer already unpaired', { userMessage: `${peer.name} is unpaired: pair again with a new code.` });
    if (action === 'resume' && peer.status === 'SUSPENDED' && peer.statusBy === 'REMOTE') {
      throw new DomainError('CONFLICT', 'suspended by the peer', { userMessage: `${peer.name} suspended the pairing: only its administrator can resume it.` });
    }
    if (peer.status === to) return;
    const changed = await tx.nodePeer.updateMany({ where: { id: peer.id, status: peer.status }, data: { status: to, statusBy: to === 'ACTIVE' ? null : 'LOCAL', statusChangedAt: now, statusChangedById: actor.userId } });
    if (changed.count !== 1) throw new DomainError('CONFLICT', 'peer status changed meanwhile', { userMessage: 'Someone changed this pairing at the same moment; look again.' });
    await recordAudit(tx, administrationAudit(actor, { action: 'federation.peer_status', facilityId: await nodeAuditFacilityId(tx), resource: `node-peer:${peer.id}`, details: { peerNodeId: peer.nodeId, peerName: peer.name, from: peer.status, to, by: 'LOCAL' } }));
    await enqueueJob(tx, { type: 'federation.tell-status', key: `${peer.id}:${now.getTime()}:${to}`, payload: { peerId: peer.id, status: to }, facilityId: null, maxAttempts: 20 });
  });
  wakeJobRunners();
  return peerView(db, peerId);
}

/** The peer told us (POST /federation/v1/peer-status): what it decided, recorded as REMOTE. */
export async function receivePeerStatus(db: Database, peer: { id: string; nodeId: string; name: string; status: string; statusBy: string | null }, status: unknown, sourceIp: string, now = new Date()): Promise<boolean> {
  if (status !== 'ACTIVE' && status !== 'SUSPENDED' && status !== 'UNPAIRED') return false;
  // Our own suspension stands whatever they say; their resume lifts only their own suspension
  if (peer.status === 'UNPAIRED' || (status === 'ACTIVE' && peer.statusBy !== 'REMOTE') || (status === 'SUSPENDED' && peer.status === 'SUSPENDED')) return true;
  await db.$transaction(async (tx) => {
    await tx.nodePeer.update({ where: { id: peer.id }, data: { status, statusBy: status === 'ACTIVE' ? null : 'REMOTE', statusChangedAt: now, statusChangedById: null } });
    await recordAudit(tx, { actor: `node:${peer.name}`, actorUserId: null, sourceIp, outcome: 'SUCCESS', action: 'federation.peer_status', facilityId: await nodeAuditFacilityId(tx), resource: `node-peer:${peer.id}`, details: { peerNodeId: peer.nodeId, peerName: peer.name, from: peer.status, to: status, by: 'REMOTE' } });
  });
  return true;
}
