// The jobs that keep two paired nodes in step, each retried with backoff while the other is down:
//   federation.sync-facilities  ask the peer for its facilities; mirror them here
//   federation.tell-status      tell the peer we suspended, resumed or unpaired it
//   federation.announce-key     tell the peer our new key, signed with the previous one
import { nodeAuditFacilityId } from '../federation-audit';
import { recordAudit } from '../../audit/record-audit';
import { defineJob, type JobDefinition } from '../../jobs/registry';
import { federationSelf, type FederationConfig } from '../federation-self';
import { callPeer, callPeerJson } from '../node-client';
import { mirrorFacility, retireMissingFacilities, type RemoteFacilityInput } from './remote-mirrors';

export interface SyncFacilitiesPayload {
  peerId: string;
}
export interface TellStatusPayload {
  peerId: string;
  status: 'ACTIVE' | 'SUSPENDED' | 'UNPAIRED';
}
export interface AnnounceKeyPayload {
  peerId: string;
  /** The key that signs the announcement (the one the peer knows) */
  signingKid: string;
}

export interface PeerJobOptions {
  config: FederationConfig;
  shared: Map<string, unknown>;
}

export function createSyncFacilitiesJob(options: PeerJobOptions): JobDefinition<'federation.sync-facilities'> {
  return defineJob('federation.sync-facilities', async (payload, context) => {
    const peer = await context.db.nodePeer.findUnique({ where: { id: payload.peerId }, select: { id: true, nodeId: true, name: true, url: true, status: true } });
    if (!peer || peer.status !== 'ACTIVE') return;
    const { identity } = federationSelf(options.config, options.shared);
    const answer = await callPeerJson<{ facilities: RemoteFacilityInput[] }>(identity, peer, { method: 'GET', path: '/facilities' });
    const listed = (answer.facilities ?? []).filter((facility) => typeof facility?.id === 'string' && typeof facility.name === 'string' && typeof facility.code === 'string');
    const now = new Date();
    await context.db.$transaction(async (tx) => {
      for (const facility of listed) await mirrorFacility(tx, peer, facility);
      await retireMissingFacilities(tx, peer.id, listed.map((facility) => facility.id), now);
      await tx.nodePeer.update({ where: { id: peer.id }, data: { facilitiesSyncedAt: now } });
    });
  });
}

export function createTellStatusJob(options: PeerJobOptions): JobDefinition<'federation.tell-status'> {
  return defineJob('federation.tell-status', async (payload, context) => {
    const peer = await context.db.nodePeer.findUnique({ where: { id: payload.peerId }, select: { nodeId: true, name: true, url: true } });
    if (!peer) return;
    const { identity } = federationSelf(options.config, options.shared);
    await callPeer(identity, peer, { method: 'POST', path: '/peer-status', json: { status: payload.status } });
  });
}

export function createAnnounceKeyJob(options: PeerJobOptions): JobDefinition<'federation.announce-key'> {
  return defineJob('federation.announce-key', async (payload, context) => {
    const peer = await context.db.nodePeer.findUnique({ where: { id: payload.peerId }, select: { id: true, nodeId: true, name: true, url: true, status: true } });
    if (!peer || peer.status === 'UNPAIRED') return;
    const self = federationSelf(options.config, options.shared);
    const signing = self.identity.keys.find((key) => key.kid === payload.signingKid) ?? self.identity.current;
    // Signed with the key the peer knows; the body lists every key of ours, the new one first
    await callPeer({ ...self.identity, current: signing }, peer, { method: 'POST', path: '/keys', json: { keys: self.description.keys } });
    await recordAudit(context.db, { actor: 'system', actorUserId: null, outcome: 'SUCCESS', action: 'federation.rotate_key', facilityId: await nodeAuditFacilityId(context.db), resource: `node-peer:${peer.id}`, details: { kid: self.identity.current.kid, previousKid: payload.signingKid, peersTold: 1 } });
  });
}

export function peerJobDefinitions(options: PeerJobOptions) {
  return [createSyncFacilitiesJob(options), createTellStatusJob(options), createAnnounceKeyJob(options)];
}
