// A paired node's facilities and people, mirrored here as Facility and User rows marked with
// the peer (nodePeerId), so that a grant, a consent's recipient, a referral's addressee and an
// audit row name them like local ones. A mirrored facility holds no studies and has no local
// members; a mirrored user ("Dr X of facility F at node A", asserted by A's signature) has no
// password (passwordHash "!": never signs in here) and is a member of their mirrored facility
// only, so what they may read here is exactly what was granted to them or to that facility.
import type { Database } from '../../../prisma/database';
import type { NodeActor } from '../signed-request';

export interface RemoteFacilityInput {
  id: string;
  name: string;
  code: string;
  /** Its services (departments, expert pools), as the peer lists them */
  services?: { id: string; name: string; code: string | null }[];
}

type MirrorDatabase = Pick<Database, 'facility' | 'user' | 'membership' | 'service'>;

function mirrorCode(peerNodeId: string, code: string): string {
  return `${code.slice(0, 24)}@${peerNodeId.slice(0, 8)}`;
}

/** The mirrored facility of a peer's facility (made or renamed as needed); its local id. */
export async function mirrorFacility(db: MirrorDatabase, peer: { id: string; nodeId: string }, facility: RemoteFacilityInput): Promise<string> {
  const name = facility.name.slice(0, 120);
  const row = await db.facility.upsert({
    where: { nodePeerId_remoteId: { nodePeerId: peer.id, remoteId: facility.id } },
    create: { nodePeerId: peer.id, remoteId: facility.id, name, code: mirrorCode(peer.nodeId, facility.code) },
    update: { name, disabledAt: null },
    select: { id: true },
  });
  if (facility.services) await mirrorServices(db, row.id, facility.services);
  return row.id;
}

/** The mirrored facility's services as the peer lists them; those no longer listed are disabled. */
async function mirrorServices(db: MirrorDatabase, facilityId: string, services: NonNullable<RemoteFacilityInput['services']>): Promise<void> {
  const listed = services.filter((service) => typeof service?.id === 'string' && typeof service.name === 'string');
  for (const service of listed) {
    const name = service.name.slice(0, 120);
    const existing = await db.service.findUnique({ where: { facilityId_remoteId: { facilityId, remoteId: service.id } }, select: { id: true } });
    // A renamed service takes its new name; one whose name another mirrored service holds keeps the old
    const nameFree = !(await db.service.findFirst({ where: { facilityId, name, NOT: { remoteId: service.id } }, select: { id: true } }));
    if (existing) await db.service.update({ where: { id: existing.id }, data: { disabledAt: null, ...(nameFree ? { name } : {}) } });
    else if (nameFree) await db.service.create({ data: { facilityId, remoteId: service.id, name } });
  }
  await db.service.updateMany({ where: { facilityId, remoteId: { notIn: listed.map((service) => service.id) }, disabledAt: null }, data: { disabledAt: new Date() } });
}

/** Marks the peer's facilities no longer listed as disabled (their grants stop reading). */
export async function retireMissingFacilities(db: MirrorDatabase, peerId: string, listedRemoteIds: readonly string[], now: Date): Promise<number> {
  const result = await db.facility.updateMany({ where: { nodePeerId: peerId, remoteId: { notIn: [...listedRemoteIds] }, disabledAt: null }, data: { disabledAt: now } });
  return result.count;
}

/** How a person of another node is named here (audit actor, guest name): "Dr X (Facility F at Node A)" */
export function remotePersonLabel(name: string, facilityName: string, nodeName: string): string {
  return `${name} (${facilityName} at ${nodeName})`;
}

/** The mirrored user of a node-asserted person, member of their mirrored facility; their local id. */
export async function mirrorUser(db: MirrorDatabase, peer: { id: string; nodeId: string; name: string }, actor: NodeActor): Promise<{ userId: string; facilityId: string; label: string }> {
  const name = String(actor.name).slice(0, 120);
  // Every node-to-node call asserts its actor (a transfer: each STOW-RS batch). When the mirrors
  // already say what is asserted, one read and no write: the three upserts below took 30-460 ms
  // a call on a loaded machine, and two batches in flight waited on each other's row locks.
  const known = await db.user.findUnique({
    where: { nodePeerId_remoteUserId: { nodePeerId: peer.id, remoteUserId: actor.id } },
    select: { id: true, name: true, memberships: { where: { role: 'REFERRING', facility: { nodePeerId: peer.id, remoteId: actor.facility.id, name: actor.facility.name.slice(0, 120), disabledAt: null } }, select: { facilityId: true } } },
  });
  if (known && known.name === name && known.memberships.length === 1) {
    return { userId: known.id, facilityId: known.memberships[0].facilityId, label: remotePersonLabel(name, actor.facility.name, peer.name) };
  }
  const facilityId = await mirrorFacility(db, peer, actor.facility);
  const user = await db.user.upsert({
    where: { nodePeerId_remoteUserId: { nodePeerId: peer.id, remoteUserId: actor.id } },
    create: { nodePeerId: peer.id, remoteUserId: actor.id, name, email: `${actor.id}@${peer.nodeId}.node.invalid`.toLowerCase(), passwordHash: '!' },
    update: { name },
    select: { id: true },
  });
  await db.membership.upsert({
    where: { userId_facilityId_role: { userId: user.id, facilityId, role: 'REFERRING' } },
    create: { userId: user.id, facilityId, role: 'REFERRING' },
    update: {},
  });
  return { userId: user.id, facilityId, label: remotePersonLabel(name, actor.facility.name, peer.name) };
}
