// Pairing two nodes, step by step (README "Several nodes"):
//   1. A's node administrator makes a pairing code (createPairingCode): A's URL, node id,
//      key fingerprint and a one-time secret. A's page shows A's fingerprint.
//   2. B's node administrator pastes it (acceptPairingCode): B fetches A's description from
//      the code's URL and refuses unless A's node id and key fingerprint are the code's; then
//      B sends A, signed with B's own key, B's description and the secret.
//   3. A (receivePairing, from the router) checks the secret (unused, unexpired: one use)
//      and that B's request is signed by the key B describes, stores B as an ACTIVE peer
//      and answers its own description; B stores A. Each side shows the other's
//      fingerprint: the administrators compare them over the phone, and either suspends
//      at once if they differ.
//   4. Both ask the other for its facilities (job federation.sync-facilities).
import { nodeAuditFacilityId } from '../federation-audit';
import type { Database } from '../../../prisma/database';
import type { AdminActor } from '../../admin/context';
import { administrationAudit } from '../../admin/administration-audit';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { enqueueJob } from '../../jobs/enqueue-job';
import { authorizeNodeAdmin } from '../../policy/node-admin';
import type { Logger } from '../../../pacs-core/logger';
import { federationSelf, type FederationConfig } from '../federation-self';
import { FederationCallError, callPeerJson, fetchNodeDescription, type NodeDescription } from '../node-client';
import { fingerprintOf } from '../node-identity';
import { CODE_LIFETIME_MS, decodePairingCode, encodePairingCode, groupFingerprint, newSecret, secretHash } from './pairing-code';
import { peerView, type PeerView } from '../peers/peer-view';

export interface FederationContext {
  db: Database;
  logger: Logger;
  config: FederationConfig;
  shared: Map<string, unknown>;
}

export interface PairingCodeView {
  code: string;
  expiresAt: string;
  node: { nodeId: string; name: string; url: string; fingerprint: string };
}

export async function createPairingCode(context: FederationContext, actor: AdminActor, now = new Date()): Promise<PairingCodeView> {
  await authorizeNodeAdmin(context.db, actor.userId);
  const self = federationSelf(context.config, context.shared);
  const secret = newSecret();
  const expiresAt = new Date(now.getTime() + CODE_LIFETIME_MS);
  await context.db.$transaction(async (tx) => {
    const row = await tx.nodePairingCode.create({ data: { secretHash: secretHash(secret), createdById: actor.userId, expiresAt } });
    await recordAudit(tx, administrationAudit(actor, { action: 'federation.pair', facilityId: await nodeAuditFacilityId(tx), resource: `pairing-code:${row.id}`, details: { role: 'CODE_MADE', fingerprint: self.description.fingerprint } }));
  });
  const { nodeId, name, url, fingerprint } = self.description;
  return { code: encodePairingCode({ url, nodeId, fingerprint, secret }), expiresAt: expiresAt.toISOString(), node: { nodeId, name, url, fingerprint } };
}

/** Stores (or re-activates) a peer with the keys it proved; returns its row id. */
async function storePeer(tx: Pick<Database, 'nodePeer'>, node: NodeDescription, pairedById: string | null, now: Date): Promise<string> {
  const data = {
    name: node.name.slice(0, 80),
    url: node.url.replace(/\/+$/, ''),
    status: 'ACTIVE',
    statusBy: null,
    statusChangedAt: now,
    statusChangedById: pairedById,
    keys: JSON.stringify(node.keys),
    fingerprint: fingerprintOf(node.keys[0].jwk),
    pairedById,
    lastSeenAt: now,
  };
  const row = await tx.nodePeer.upsert({ where: { nodeId: node.nodeId }, create: { nodeId: node.nodeId, ...data }, update: data, select: { id: true } });
  return row.id;
}

function checkDescription(node: unknown): NodeDescription {
  const candidate = node as Partial<NodeDescription> | null;
  if (!candidate || typeof candidate.nodeId !== 'string' || typeof candidate.name !== 'string' || typeof candidate.url !== 'string' || !Array.isArray(candidate.keys) || !candidate.keys.length) {
    throw new DomainError('BAD_REQUEST', 'the node description is incomplete (nodeId, name, url, keys)');
  }
  for (const key of candidate.keys) fingerprintOf(key.jwk);
  return candidate as NodeDescription;
}

export async function acceptPairingCode(context: FederationContext, actor: AdminActor, input: unknown, now = new Date()): Promise<PeerView> {
  const { db } = context;
  await authorizeNodeAdmin(db, actor.userId);
  const code = decodePairingCode((input as { code?: unknown } | null)?.code);
  const self = federationSelf(context.config, context.shared);
  if (code.nodeId === self.identity.nodeId) throw new DomainError('INVALID_INPUT', 'pairing code of this node', { userMessage: 'Some fields need attention.', fields: { code: 'This code was made on this node: paste it on the other node.' } });

  let remote: NodeDescription;
  try {
    remote = checkDescription(await fetchNodeDescription(code.url));
  } catch (error) {
    throw new DomainError('PEER_FAILED', `pairing: ${(error as Error).message}`, { userMessage: `The node at ${code.url} could not be asked who it is: ${(error as Error).message}` });
  }
  const presented = fingerprintOf(remote.keys[0].jwk).replace(/\s+/g, '');
  if (remote.nodeId !== code.nodeId || presented !== code.fingerprint) {
    throw new DomainError('CONFLICT', `pairing refused: ${code.url} presents node ${remote.nodeId} with fingerprint ${presented}, the code names ${code.nodeId} with ${code.fingerprint}`, {
      userMessage: `The node answering at ${code.url} is not the node the code was made on (its key fingerprint is ${groupFingerprint(presented)}, the code says ${groupFingerprint(code.fingerprint)}). Nothing was paired.`,
    });
  }
  let answer: { node: NodeDescription };
  try {
    answer = await callPeerJson<{ node: NodeDescription }>(self.identity, { nodeId: remote.nodeId, name: remote.name, url: code.url }, { method: 'POST', path: '/pairings', json: { secret: code.secret, node: self.description } });
  } catch (error) {
    const why = error instanceof FederationCallError && error.status === 401 ? 'it refused the code (used, expired or unknown: ask for a new one)' : (error as Error).message;
    throw new DomainError('PEER_FAILED', `pairing with ${code.url} failed: ${why}`, { userMessage: `Pairing with ${remote.name} failed: ${why}. Nothing was paired.` });
  }
  const confirmed = checkDescription(answer.node);
  if (confirmed.nodeId !== remote.nodeId || fingerprintOf(confirmed.keys[0].jwk) !== fingerprintOf(remote.keys[0].jwk)) {
    throw new DomainError('CONFLICT', 'pairing answer from another key', { userMessage: 'The other node answered with another identity than it presented. Nothing was paired.' });
  }
  const peerId = await db.$transaction(async (tx) => {
    const id = await storePeer(tx, { ...confirmed, url: code.url }, actor.userId, now);
    await recordAudit(tx, administrationAudit(actor, { action: 'federation.pair', facilityId: await nodeAuditFacilityId(tx), resource: `node-peer:${id}`, details: { role: 'ACCEPTED', peerNodeId: confirmed.nodeId, peerName: confirmed.name, fingerprint: fingerprintOf(confirmed.keys[0].jwk) } }));
    await enqueueJob(tx, { type: 'federation.sync-facilities', key: `${id}:${now.getTime()}`, payload: { peerId: id }, facilityId: null });
    return id;
  });
  return peerView(db, peerId);
}

/** A's half (POST /federation/v1/pairings): the secret and the body's keys, checked by the router's verification. */
export async function receivePairing(db: Database, input: { secret: unknown; node: NodeDescription; sourceIp: string; self: NodeDescription }, now = new Date()): Promise<{ peerId: string } | null> {
  if (typeof input.secret !== 'string' || !input.secret) return null;
  return db.$transaction(async (tx) => {
    const code = await tx.nodePairingCode.findUnique({ where: { secretHash: secretHash(input.secret as string) }, select: { id: true, createdById: true, usedAt: true, expiresAt: true } });
    if (!code || code.usedAt || code.expiresAt <= now) return null;
    // One use: of two nodes racing with one code, one wins
    const used = await tx.nodePairingCode.updateMany({ where: { id: code.id, usedAt: null }, data: { usedAt: now } });
    if (used.count !== 1) return null;
    const peerId = await storePeer(tx, input.node, code.createdById, now);
    await tx.nodePairingCode.update({ where: { id: code.id }, data: { peerId } });
    await recordAudit(tx, {
      actor: `node:${input.node.name}`,
      actorUserId: null,
      sourceIp: input.sourceIp,
      outcome: 'SUCCESS',
      action: 'federation.pair',
      facilityId: await nodeAuditFacilityId(tx),
      resource: `node-peer:${peerId}`,
      details: { role: 'CODE_USED', peerNodeId: input.node.nodeId, peerName: input.node.name, fingerprint: fingerprintOf(input.node.keys[0].jwk) },
    });
    await enqueueJob(tx, { type: 'federation.sync-facilities', key: `${peerId}:${now.getTime()}`, payload: { peerId }, facilityId: null });
    return { peerId };
  });
}

export { checkDescription };
