import type { Database } from '../../prisma/database';
import { findHomeFacilityId } from '../bootstrap/ensure-defaults';
import type { DicomPeer as ConfiguredPeer } from '../config/config';

export interface ListedDicomPeer {
  /** null for a peer from DICOM_PEERS (read-only here) */
  id: string | null;
  aet: string;
  host: string;
  port: number;
  /** DICOM TLS both ways: it associates only on DICOM_TLS_PORT, we send to it over TLS */
  tls: boolean;
  /** Its associations must present a certificate that chains to DICOM_TLS_CA */
  requireClientCertificate: boolean;
  description: string;
  /** Associations accepted from any source address (shown as a warning) */
  anyAddress: boolean;
  source: 'configuration' | 'database';
  createdAt: Date | null;
}

/** The facility's peers: DICOM_PEERS first (home facility only), then the registered ones by AE title. Access checked by the caller. */
export async function listDicomPeers(db: Database, configuredPeers: readonly ConfiguredPeer[], facilityId: string): Promise<ListedDicomPeer[]> {
  const fromConfiguration: ListedDicomPeer[] =
    configuredPeers.length && (await findHomeFacilityId(db)) === facilityId
      ? configuredPeers.map((peer) => ({
          id: null,
          aet: peer.aet,
          host: peer.host,
          port: peer.port,
          tls: peer.tls,
          requireClientCertificate: peer.requireClientCertificate,
          description: 'DICOM_PEERS',
          anyAddress: peer.anyAddress,
          source: 'configuration' as const,
          createdAt: null,
        }))
      : [];
  const registered = await db.dicomPeer.findMany({ where: { facilityId }, orderBy: { aet: 'asc' } });
  return [
    ...fromConfiguration,
    ...registered.map((peer) => ({
      id: peer.id,
      aet: peer.aet,
      host: peer.host,
      port: peer.port,
      tls: peer.tls,
      requireClientCertificate: peer.requireClientCertificate,
      description: peer.description,
      anyAddress: peer.anyAddress,
      source: 'database' as const,
      createdAt: peer.createdAt,
    })),
  ];
}
