// The host node's half of a cross-node teleconsultation entry (join-remote-consultation.ts):
// GET /federation/v1/consult/enter?token=<guest link token>&assertion=<the colleague's node's
// signed token>. The assertion is verified like any node request (peer active, key, audience,
// GET and this path with its token, 60 s, one use); the guest link must be one made for the
// asserting person's facility at that node. Then the ordinary guest join
// (lib/consult/guest-links.ts joinWithGuestLink): a guest account named as the node asserts,
// of that (mirrored) facility, a participant of that consultation only, reading its study
// through the consultation's grant, with a session that ends with the link or the consultation.
import type { Database } from '../../../prisma/database';
import type { Logger } from '../../../pacs-core/logger';
import { joinWithGuestLink, type JoinedAsGuest } from '../../consult/guest-links';
import { mirrorFacility, remotePersonLabel } from '../peers/remote-mirrors';
import type { VerifiedRequest } from '../verify-node-request';

export async function enterFromNode(context: { db: Database; logger: Logger }, verified: VerifiedRequest, token: string, client: { ip: string; userAgent?: string }): Promise<JoinedAsGuest> {
  const actor = verified.actor!;
  const facilityId = await mirrorFacility(context.db, verified.peer, actor.facility);
  const name = remotePersonLabel(String(actor.name).slice(0, 60), String(actor.facility.name).slice(0, 60), verified.peer.name);
  return joinWithGuestLink(context, token, client, new Date(), { name, facilityId });
}
