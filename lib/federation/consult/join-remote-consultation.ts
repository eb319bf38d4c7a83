// A colleague joins a live teleconsultation held at a paired node (issue 19), with the identity
// their own node asserts. The host at node B made a guest link for a facility of node A
// (lib/consult/guest-links.ts, `facilityId`); the colleague opens, at their own node A,
//   /federation/join?node=<B's node id>&token=<the link's token>
// A signs who they are ("Dr X of facility F at node A") for that one entry — a node request
// token (signed-request.ts) bound to B, GET and the entry path with the link's token — and
// sends the browser to B's /federation/v1/consult/enter (enter-from-node.ts), which joins
// them as a guest of that one consultation: no password at B, their access that session's study.
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { PolicyError } from '../../policy/errors';
import type { Database } from '../../../prisma/database';
import { federationSelf, type FederationConfig } from '../federation-self';
import { FEDERATION_PREFIX } from '../node-client';
import { AUTH_SCHEME, signNodeRequest } from '../signed-request';

export const GUEST_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function consultEntryPath(token: string): string {
  return `${FEDERATION_PREFIX}/consult/enter?token=${token}`;
}

/** The link the host gives a colleague of another node: at that colleague's own node. */
export function remoteJoinUrl(colleagueNodeUrl: string, hostNodeId: string, token: string): string {
  return `${colleagueNodeUrl.replace(/\/+$/, '')}/federation/join?node=${encodeURIComponent(hostNodeId)}&token=${token}`;
}

export interface JoiningUser {
  userId: string;
  name: string;
  email: string;
  ip: string;
  actingFacilityId: string | null;
}

/** Where the browser goes: the host node's entry, with this node's signed assertion. */
export async function remoteConsultationEntry(context: { db: Database; config: FederationConfig; shared: Map<string, unknown> }, user: JoiningUser, input: { node: string | null; token: string | null }): Promise<string> {
  const { db } = context;
  const token = input.token ?? '';
  if (!GUEST_TOKEN_PATTERN.test(token)) throw new DomainError('LINK_INVALID', 'remote join: malformed token', { userMessage: 'This invitation link is not valid. Check that it was copied completely.' });
  const peer = input.node ? await db.nodePeer.findUnique({ where: { nodeId: input.node.slice(0, 64) }, select: { nodeId: true, name: true, url: true, status: true } }) : null;
  if (!peer || peer.status === 'UNPAIRED') throw new DomainError('NOT_FOUND', 'remote join: no such paired node', { userMessage: 'This invitation is from a node this one is not paired with.' });
  if (peer.status !== 'ACTIVE') throw new DomainError('CONFLICT', 'remote join: pairing suspended', { userMessage: `The pairing with ${peer.name} is suspended: its teleconsultations cannot be joined from here now.` });
  const facility = user.actingFacilityId
    ? await db.facility.findFirst({ where: { id: user.actingFacilityId, nodePeerId: null, disabledAt: null, memberships: { some: { userId: user.userId } } }, select: { id: true, name: true, code: true } })
    : null;
  if (!facility) throw new PolicyError('NOT_FOUND', 'remote join: no acting facility');
  const { identity } = federationSelf(context.config, context.shared);
  const path = consultEntryPath(token);
  const authorization = await signNodeRequest({ identity, audience: peer.nodeId, method: 'GET', path, actor: { id: user.userId, name: user.name, email: user.email, facility } });
  await recordAudit(db, {
    actor: user.email,
    actorUserId: user.userId,
    sourceIp: user.ip,
    outcome: 'SUCCESS',
    action: 'federation.consult_join',
    facilityId: facility.id,
    resource: `node:${peer.nodeId}`,
    details: { peerNodeId: peer.nodeId, peerName: peer.name },
  });
  return `${peer.url}${path}&assertion=${encodeURIComponent(authorization.slice(AUTH_SCHEME.length + 1))}`;
}

/** For a guest link made for a paired node's facility: the link its colleague opens at their own node. */
export async function nodeGuestJoinUrl(context: { db: Database; config: FederationConfig; shared: Map<string, unknown> }, linkId: string, token: string): Promise<string | null> {
  const link = await context.db.consultationGuestLink.findUnique({ where: { id: linkId }, select: { nodeFacilityId: true } });
  const facility = link?.nodeFacilityId ? await context.db.facility.findUnique({ where: { id: link.nodeFacilityId }, select: { nodePeerId: true } }) : null;
  const peer = facility?.nodePeerId ? await context.db.nodePeer.findUnique({ where: { id: facility.nodePeerId }, select: { url: true } }) : null;
  if (!peer) return null;
  return remoteJoinUrl(peer.url, federationSelf(context.config, context.shared).identity.nodeId, token);
}
