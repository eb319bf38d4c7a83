// Emergency transfer notices between nodes (issue 19), decided here once for
// lib/federation/notices:
// - a notice is forwarded to a paired node when it is addressed to a service of one of that
//   node's facilities (a mirrored service: its facility has nodePeerId) and the pairing is active;
// - a paired node addresses a notice to an enabled service of an enabled facility of THIS
//   node (never a mirrored one): pairing is the node administrators' decision to accept
//   notices from it, suspended or unpaired at once by either side;
// - a paired node tells changes only of a notice shared with it: one it forwarded here
//   (TransferNotice.peerId), or one this node forwarded to it (addressed to its service).
// What the remote side sees of a notice is what the notice itself carries (the patient's
// name and ID, condition, vitals, ETA, call-back number): the same as a local receiving
// team; its images reach it only through the transfer's grant (federation-access.ts).
// Everything else: NOT_FOUND.
import type { Database } from '../../prisma/database';
import { DomainError } from '../errors';
import { PolicyError } from './errors';

type PolicyDb = Pick<Database, 'service' | 'transferNotice' | 'nodePeer'>;

export interface NoticePeer {
  peer: { id: string; nodeId: string; name: string; url: string; status: string };
  /** The service's and its facility's ids at that node */
  remoteServiceId: string;
  remoteFacilityId: string;
}

/** The paired node a service belongs to (null: a service of this node). */
export async function noticePeerOfService(db: PolicyDb, serviceId: string): Promise<NoticePeer | null> {
  const service = await db.service.findUnique({ where: { id: serviceId }, select: { remoteId: true, facility: { select: { remoteId: true, nodePeerId: true } } } });
  if (!service?.remoteId || !service.facility.nodePeerId || !service.facility.remoteId) return null;
  const peer = await db.nodePeer.findUnique({ where: { id: service.facility.nodePeerId }, select: { id: true, nodeId: true, name: true, url: true, status: true } });
  return peer ? { peer, remoteServiceId: service.remoteId, remoteFacilityId: service.facility.remoteId } : null;
}

/** A notice may go to this service of another node: the pairing is active (CONFLICT otherwise, said to the sender). */
export function authorizeNoticeForward(target: NoticePeer): void {
  if (target.peer.status !== 'ACTIVE') {
    throw new DomainError('CONFLICT', `peer ${target.peer.name} is ${target.peer.status}`, { userMessage: `The pairing with ${target.peer.name} is ${target.peer.status === 'SUSPENDED' ? 'suspended' : 'ended'}: call the receiving hospital instead.` });
  }
}

/** The local service a paired node addresses a notice to; NOT_FOUND unless an enabled service of an enabled facility of this node. */
export async function authorizePeerNotice(db: PolicyDb, serviceId: string): Promise<{ id: string; facilityId: string }> {
  const service = await db.service.findFirst({ where: { id: serviceId.slice(0, 64), remoteId: null, disabledAt: null, facility: { disabledAt: null, nodePeerId: null } }, select: { id: true, facilityId: true } });
  if (!service) throw new PolicyError('NOT_FOUND', 'no such service on this node');
  return service;
}

/**
 * The notice a paired node tells a change of, by its id at the node that made it:
 * here 'RECEIVER' when this node received it from that peer, 'ORIGIN' when this node sent it
 * to a service of that peer. NOT_FOUND for any other notice.
 */
export async function authorizePeerNoticeChange(db: PolicyDb, peerId: string, originNoticeId: string): Promise<{ id: string; side: 'RECEIVER' | 'ORIGIN' }> {
  const id = originNoticeId.slice(0, 64);
  const received = await db.transferNotice.findUnique({ where: { peerId_remoteId: { peerId, remoteId: id } }, select: { id: true } });
  if (received) return { id: received.id, side: 'RECEIVER' };
  const sent = await db.transferNotice.findUnique({ where: { id }, select: { id: true, peerId: true, targetServiceId: true } });
  if (sent && !sent.peerId) {
    const service = await db.service.findUnique({ where: { id: sent.targetServiceId }, select: { facility: { select: { nodePeerId: true } } } });
    if (service?.facility.nodePeerId === peerId) return { id: sent.id, side: 'ORIGIN' };
  }
  throw new PolicyError('NOT_FOUND', 'transfer notice not found');
}
