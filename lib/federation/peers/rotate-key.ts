// A node administrator rotates this node's key (a suspected leak, a yearly routine): a new key
// signs from now on; the previous one still verifies for a week (node-identity.ts) while every
// peer is told the new key in a request signed with the previous one (job federation.announce-key).
import { nodeAuditFacilityId } from '../federation-audit';
import type { AdminActor } from '../../admin/context';
import { administrationAudit } from '../../admin/administration-audit';
import { recordAudit } from '../../audit/record-audit';
import { enqueueJob } from '../../jobs/enqueue-job';
import { wakeJobRunners } from '../../jobs/job-signals';
import { authorizeNodeAdmin } from '../../policy/node-admin';
import { federationSelf } from '../federation-self';
import { fingerprintOf, loadNodeIdentity, rotateNodeKey } from '../node-identity';
import type { FederationContext } from '../pairing/pair-nodes';
import type { PublicNodeKey } from '../node-identity';
import type { Database } from '../../../prisma/database';

export async function rotateKey(context: FederationContext, actor: AdminActor, now = new Date()): Promise<{ kid: string; fingerprint: string; peersTold: number }> {
  const { db } = context;
  await authorizeNodeAdmin(db, actor.userId);
  const previous = loadNodeIdentity(context.config.dataDir, now).current.kid;
  const rotated = rotateNodeKey(context.config.dataDir, now);
  const fingerprint = federationSelf(context.config, context.shared).description.fingerprint;
  const peers = await db.nodePeer.findMany({ where: { status: { not: 'UNPAIRED' } }, select: { id: true } });
  await db.$transaction(async (tx) => {
    for (const peer of peers) {
      await enqueueJob(tx, { type: 'federation.announce-key', key: `${peer.id}:${rotated.current.kid}`, payload: { peerId: peer.id, signingKid: previous }, facilityId: null, maxAttempts: 20 });
    }
    await recordAudit(tx, administrationAudit(actor, { action: 'federation.rotate_key', facilityId: await nodeAuditFacilityId(tx), resource: 'node-key', details: { kid: rotated.current.kid, previousKid: previous, fingerprint, peersTold: peers.length } }));
  });
  wakeJobRunners();
  return { kid: rotated.current.kid, fingerprint, peersTold: peers.length };
}

/** POST /federation/v1/keys from a peer (verified with a key we knew): its new key list. */
export async function receivePeerKeys(db: Database, peer: { id: string; nodeId: string; name: string }, keys: unknown, sourceIp: string): Promise<boolean> {
  if (!Array.isArray(keys) || !keys.length) return false;
  const list = keys as PublicNodeKey[];
  let fingerprint: string;
  try {
    for (const key of list) fingerprintOf(key.jwk);
    fingerprint = fingerprintOf(list[0].jwk);
  } catch {
    return false;
  }
  await db.$transaction(async (tx) => {
    await tx.nodePeer.update({ where: { id: peer.id }, data: { keys: JSON.stringify(list), fingerprint } });
    await recordAudit(tx, { actor: `node:${peer.name}`, actorUserId: null, sourceIp, outcome: 'SUCCESS', action: 'federation.peer_key', facilityId: await nodeAuditFacilityId(tx), resource: `node-peer:${peer.id}`, details: { peerNodeId: peer.nodeId, peerName: peer.name, kid: list[0].kid, fingerprint } });
  });
  return true;
}
