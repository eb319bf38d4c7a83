// What the node administrator's "Other nodes" page shows, and where clinicians may send.
import type { Database } from '../../../prisma/database';
import { authorizeNodeAdmin } from '../../policy/node-admin';
import { federationSelf } from '../federation-self';
import type { NodeDescription } from '../node-client';
import type { FederationContext } from '../pairing/pair-nodes';
import { listPeerViews, type PeerView } from './peer-view';

export interface NodeFederationView {
  node: Omit<NodeDescription, 'keys'> & { kid: string };
  peers: PeerView[];
}

export async function nodeFederationView(context: FederationContext, actorUserId: string): Promise<NodeFederationView> {
  await authorizeNodeAdmin(context.db, actorUserId);
  const { identity, description } = federationSelf(context.config, context.shared);
  const { keys: _keys, ...node } = description;
  return { node: { ...node, kid: identity.current.kid }, peers: await listPeerViews(context.db) };
}

export interface Destination {
  /** The mirrored facility's id here (what a transfer names) */
  facilityId: string;
  facility: string;
  node: string;
}

/** The facilities of active peers, for a signed-in member of this node (none for a person of another node). */
export async function listDestinations(context: { db: Database }, userId: string): Promise<Destination[]> {
  const { db } = context;
  const user = await db.user.findUnique({ where: { id: userId }, select: { nodePeerId: true, guest: true, disabled: true } });
  if (!user || user.nodePeerId || user.guest || user.disabled) return [];
  const peers = await db.nodePeer.findMany({ where: { status: 'ACTIVE' }, select: { id: true, name: true } });
  const facilities = await db.facility.findMany({ where: { nodePeerId: { in: peers.map((peer) => peer.id) }, disabledAt: null }, select: { id: true, name: true, nodePeerId: true }, orderBy: { name: 'asc' } });
  return facilities.map((facility) => ({ facilityId: facility.id, facility: facility.name, node: peers.find((peer) => peer.id === facility.nodePeerId)?.name ?? '' }));
}
