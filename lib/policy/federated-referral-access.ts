// Second-opinion cases between nodes (issue 19), decided here once for lib/federation/referrals:
// - a case goes to a paired node when its addressee is a service of one of that node's
//   facilities (a mirrored service) and the pairing is active; a named expert of another
//   node is not an addressee (their node's service is: it knows who is on duty);
// - a paired node addresses a case to an enabled service of an enabled facility of THIS node
//   (never a mirrored one), as it addresses emergency notices (federated-notice-access.ts);
// - a case received from another node is forwarded only within this node;
// - a paired node tells changes only of a case shared with it: one it sent here
//   (Referral.peerId), or one this node sent to a service of it.
// What the expert's node holds of the case is what the case carries (patient name and ID,
// question, history, priority) and the studies sent for it under the requester's legal
// basis (create-out-transfer.ts asks share-basis). Everything else: NOT_FOUND.
import type { Database } from '../../prisma/database';
import { DomainError } from '../errors';
import { PolicyError } from './errors';
import { noticePeerOfService, authorizePeerNotice, type NoticePeer } from './federated-notice-access';

type PolicyDb = Pick<Database, 'service' | 'referral' | 'nodePeer' | 'transferNotice'>;

/** The paired node of a case's addressee (null: an addressee of this node). */
export async function referralPeerOf(db: PolicyDb, referral: { targetServiceId: string | null }): Promise<NoticePeer | null> {
  return referral.targetServiceId ? noticePeerOfService(db, referral.targetServiceId) : null;
}

/** A case may be sent to this addressee of another node: the pairing is active (CONFLICT otherwise, said to the requester). */
export async function authorizeReferralAddressee(db: PolicyDb, addressee: { targetServiceId: string | null }, receivedFromPeer: string | null): Promise<void> {
  const target = await referralPeerOf(db, addressee);
  if (!target) return;
  if (receivedFromPeer) {
    throw new DomainError('INVALID_INPUT', 'a received case forwarded to another node', {
      userMessage: 'A case from another node is handed on only to a service or expert of this node.',
      fields: { addressee: 'Choose a service or expert of this node' },
    });
  }
  if (target.peer.status !== 'ACTIVE') {
    throw new DomainError('CONFLICT', `peer ${target.peer.name} is ${target.peer.status}`, {
      userMessage: `The pairing with ${target.peer.name} is ${target.peer.status === 'SUSPENDED' ? 'suspended' : 'ended'}: choose another addressee.`,
      fields: { addressee: `${target.peer.name} is not reachable now` },
    });
  }
}

/** The local service a paired node addresses a case to; NOT_FOUND unless an enabled service of an enabled facility of this node. */
export function authorizePeerReferral(db: PolicyDb, serviceId: string): Promise<{ id: string; facilityId: string }> {
  return authorizePeerNotice(db, serviceId);
}

/**
 * The case a paired node tells a change of, by its id at the requesting node: 'RECEIVER' when
 * this node received it from that peer (the peer is the requester's side), 'ORIGIN' when this
 * node sent it to a service of that peer (the peer is the expert's side). NOT_FOUND otherwise.
 */
export async function authorizePeerReferralChange(db: PolicyDb, peerId: string, originReferralId: string): Promise<{ id: string; side: 'RECEIVER' | 'ORIGIN' }> {
  const id = originReferralId.slice(0, 64);
  const received = await db.referral.findUnique({ where: { peerId_remoteId: { peerId, remoteId: id } }, select: { id: true } });
  if (received) return { id: received.id, side: 'RECEIVER' };
  const sent = await db.referral.findUnique({ where: { id }, select: { id: true, peerId: true, targetServiceId: true } });
  if (sent && !sent.peerId && (await referralPeerOf(db, sent))?.peer.id === peerId) return { id: sent.id, side: 'ORIGIN' };
  throw new PolicyError('NOT_FOUND', 'referral not found');
}
