import { administrationAudit } from '../admin/administration-audit';
import { recordAudit } from '../audit/record-audit';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { PolicyError } from '../policy/errors';
import { authorizeAdminArea } from '../policy/admin-area';
import { ZDicomPeerRequest, type TDicomPeerRequest } from './dicom-peer.types';

export interface SavedDicomPeer {
  id: string;
  aet: string;
  host: string;
  port: number;
  tls: boolean;
  requireClientCertificate: boolean;
  description: string;
  anyAddress: boolean;
}

export const DICOM_TLS_OFF_MESSAGE =
  'DICOM TLS is not configured on this server: set DICOM_TLS_PORT, DICOM_TLS_CERT, DICOM_TLS_KEY and DICOM_TLS_CA and restart, then register this peer with TLS.';

/**
 * Registers a peer (peerId undefined) or changes one of the facility's peers.
 * AE titles identify peers node-wide (the DIMSE server finds the facility by
 * the calling AE title), so a title taken anywhere — by DICOM_PEERS, by
 * another facility, or our own — is refused.
 */
export async function saveDicomPeer(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  peerId: string | undefined,
  input: TDicomPeerRequest | unknown,
): Promise<SavedDicomPeer> {
  const { db, config } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  if (peerId !== undefined) {
    const existing = await db.dicomPeer.findFirst({ where: { id: peerId, facilityId }, select: { id: true } });
    if (!existing) throw new PolicyError('NOT_FOUND', 'DICOM peer not found');
  }
  const peer = parseInput(ZDicomPeerRequest, input);
  // A TLS peer could neither associate nor be sent to: say so now, not at its first association
  if (peer.tls && !config.dicomTls) throw new AdminError('INVALID_INPUT', DICOM_TLS_OFF_MESSAGE, { tls: DICOM_TLS_OFF_MESSAGE });
  const taken = (why: string) => new AdminError('CONFLICT', why, { aet: why });
  if (peer.aet === config.dicomAet) throw taken(`${peer.aet} is this server's own AE title.`);
  if (config.dicomPeers.some((configured) => configured.aet === peer.aet)) throw taken(`${peer.aet} is already configured in DICOM_PEERS.`);
  const holder = await db.dicomPeer.findUnique({ where: { aet: peer.aet }, select: { id: true } });
  if (holder && holder.id !== peerId) throw taken(`The AE title ${peer.aet} is already registered.`);

  try {
    return await db.$transaction(async (tx) => {
      const saved = peerId
        ? await tx.dicomPeer.update({ where: { id: peerId }, data: peer })
        : await tx.dicomPeer.create({ data: { ...peer, facilityId } });
      await recordAudit(
        tx,
        administrationAudit(actor, {
          action: peerId ? 'admin.update_dicom_peer' : 'admin.create_dicom_peer',
          facilityId,
          resource: `dicom-peer:${saved.id}`,
          details: { aet: saved.aet, host: saved.host, port: saved.port, tls: saved.tls, requireClientCertificate: saved.requireClientCertificate, anyAddress: saved.anyAddress },
        }),
      );
      return {
        id: saved.id,
        aet: saved.aet,
        host: saved.host,
        port: saved.port,
        tls: saved.tls,
        requireClientCertificate: saved.requireClientCertificate,
        description: saved.description,
        anyAddress: saved.anyAddress,
      };
    });
  } catch (error) {
    // Two admins registering the same title at once: the unique index decides.
    if ((error as { code?: string }).code === 'P2002') throw taken(`The AE title ${peer.aet} is already registered.`);
    throw error;
  }
}

export async function deleteDicomPeer(context: AdminContext, actor: AdminActor, facilityId: string, peerId: string): Promise<void> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  await db.$transaction(async (tx) => {
    const peer = await tx.dicomPeer.findFirst({ where: { id: peerId, facilityId } });
    if (!peer) throw new PolicyError('NOT_FOUND', 'DICOM peer not found');
    await tx.dicomPeer.delete({ where: { id: peer.id } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.delete_dicom_peer',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `dicom-peer:${peer.id}`,
      details: { aet: peer.aet, host: peer.host, port: peer.port },
    });
  });
}
