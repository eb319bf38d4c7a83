// How a notice's or a case's page names people and facilities of another node (issue 19):
// "Dr Yara Young (Cardiology centre at University hospital B)", "District clinic (District
// hospital A)" — so the sender reads who acknowledged at the other node, and the receiving
// team reads where the patient comes from. People and facilities of this node keep their name.
import type { Database } from '../../prisma/database';

type NamesDb = Pick<Database, 'user' | 'facility' | 'nodePeer'>;

async function peerNames(db: NamesDb, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (!wanted.length) return new Map();
  const peers = await db.nodePeer.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(peers.map((peer) => [peer.id, peer.name]));
}

/** Each user's name ("name (facility at node)" for a person of another node). */
export async function peopleNames(db: NamesDb, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (!wanted.length) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, email: true, nodePeerId: true, memberships: { where: { facility: { nodePeerId: { not: null } } }, select: { facility: { select: { name: true } } }, take: 1 } } });
  const nodes = await peerNames(db, users.map((user) => user.nodePeerId));
  return new Map(users.map((user) => {
    const name = user.name || user.email;
    if (!user.nodePeerId) return [user.id, name];
    const facility = user.memberships[0]?.facility.name;
    const node = nodes.get(user.nodePeerId) ?? 'another node';
    return [user.id, `${name} (${facility ? `${facility} at ` : ''}${node})`];
  }));
}

/** Each facility's name ("name (node)" for a facility of another node). */
export async function facilityNames(db: NamesDb, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (!wanted.length) return new Map();
  const facilities = await db.facility.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true, nodePeerId: true } });
  const nodes = await peerNames(db, facilities.map((facility) => facility.nodePeerId));
  return new Map(facilities.map((facility) => [facility.id, facility.nodePeerId ? `${facility.name} (${nodes.get(facility.nodePeerId) ?? 'another node'})` : facility.name]));
}
