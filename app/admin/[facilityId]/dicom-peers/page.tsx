import type { Metadata } from 'next';
import { viewDicomPeers } from '../../../../lib/dicom-peers/view-dicom-peers';
import { getRuntime } from '../../../../lib/runtime';
import { AdminShell } from '../../_components/admin-shell';
import { DicomPeersPanel } from '../../_components/dicom-peers-panel';
import { requireFacilityAdmin } from '../../_lib/require-facility-admin';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'DICOM peers · Administration' };

export default async function DicomPeersPage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/dicom-peers`);
  const { config } = getRuntime();
  const peers = await viewDicomPeers(getRuntime(), { userId: user.id }, facilityId);
  return (
    <AdminShell user={user} facility={facility} current="dicom-peers">
      <p className={styles.muted}>
        Modalities and PACS that may connect to this server (AE title <strong>{config.dicomAet}</strong>
        {config.dicomPort ? `, port ${config.dicomPort}` : ''}
        {config.dicomTls ? `, DICOM TLS port ${config.dicomTls.port}` : ''}) and where
        images are sent when they ask for a C-MOVE. What they store belongs to {facility.name}.
      </p>
      <DicomPeersPanel
        facilityId={facilityId}
        ourAet={config.dicomAet}
        tlsPort={config.dicomTls?.port}
        peers={peers.map((peer) => ({
          id: peer.id,
          aet: peer.aet,
          host: peer.host,
          port: peer.port,
          tls: peer.tls,
          requireClientCertificate: peer.requireClientCertificate,
          description: peer.description,
          anyAddress: peer.anyAddress,
          source: peer.source,
        }))}
      />
    </AdminShell>
  );
}
