import { echoPeer, type EchoResult } from '../../pacs-core/dimse/echo';
import { writeAuditEvent } from '../audit/write-audit-event';
import type { AdminActor, AdminContext } from '../admin/context';
import { PolicyError } from '../policy/errors';
import { authorizeAdminArea } from '../policy/admin-area';
import { listDicomPeers } from './list-dicom-peers';

export type DicomPeerEcho = EchoResult & { aet: string; host: string; port: number };

/**
 * Runs a real C-ECHO from our AE title to one of the facility's peers (a
 * registered one by id, or a DICOM_PEERS one by its AE title) and audits it.
 */
export async function echoDicomPeer(context: AdminContext, actor: AdminActor, facilityId: string, peerKey: { id?: string; aet?: string }): Promise<DicomPeerEcho> {
  const { db, config, logger } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const peers = await listDicomPeers(db, config.dicomPeers, facilityId);
  const peer = peers.find((candidate) => (peerKey.id ? candidate.id === peerKey.id : candidate.source === 'configuration' && candidate.aet === peerKey.aet));
  if (!peer) throw new PolicyError('NOT_FOUND', 'DICOM peer not found');
  const result = await echoPeer(peer, { callingAet: config.dicomAet, tls: config.dicomTls });
  await writeAuditEvent(
    db,
    {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.echo_dicom_peer',
      outcome: result.ok ? 'SUCCESS' : 'FAILURE',
      facilityId,
      sourceIp: actor.ip,
      resource: `dicom-peer:${peer.id ?? `config:${peer.aet}`}`,
      details: { aet: peer.aet, host: peer.host, port: peer.port, tls: peer.tls, ...result },
    },
    logger,
  );
  return { ...result, aet: peer.aet, host: peer.host, port: peer.port };
}
