// Who a DICOM AE title is, for the DIMSE server: a peer from DICOM_PEERS
// (the node's home facility) or one an administrator registered (its own
// facility). The configuration wins, so an installer's list always holds.
import type { Database } from '../../prisma/database';
import type { DicomPeer as ConfiguredPeer } from '../config/config';

export interface KnownDicomPeer {
  aet: string;
  host: string;
  port: number;
  anyAddress: boolean;
  tls: boolean;
  requireClientCertificate: boolean;
  facilityId: string;
  source: 'configuration' | 'database';
}

export async function findDicomPeer(
  db: Database,
  options: { configuredPeers: readonly ConfiguredPeer[]; homeFacilityId: string },
  aetInput: string,
): Promise<KnownDicomPeer | null> {
  const aet = aetInput.trim();
  // PS3.5 AE: no control characters and no backslash. Such a title is nobody's (and a NUL must
  // never reach PostgreSQL, which refuses it in text): the association is refused as unknown.
  if (!aet || /[\x00-\x1f\x7f\\]/.test(aet)) return null;
  const configured = options.configuredPeers.find((peer) => peer.aet === aet);
  if (configured) return { ...configured, facilityId: options.homeFacilityId, source: 'configuration' };
  const registered = await db.dicomPeer.findUnique({ where: { aet }, select: { aet: true, host: true, port: true, anyAddress: true, tls: true, requireClientCertificate: true, facilityId: true } });
  return registered ? { ...registered, source: 'database' } : null;
}
