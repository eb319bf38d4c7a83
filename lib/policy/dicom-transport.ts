// DICOM TLS per peer (PS3.15 Annex B): which transport a known peer's
// association must have come over. The facts come from the connection
// (pacs-core/dimse/tls.ts); the decision is made here, next to the other
// checks of the DIMSE door.
import type { AssociationRequestInfo } from '../../pacs-core/dimse/types';

export interface PeerTransportRequirements {
  /** It may associate only over the TLS port */
  tls: boolean;
  /** It must present a certificate that chains to DICOM_TLS_CA */
  requireClientCertificate: boolean;
}

export type TransportDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * A TLS peer on the plain port is refused (its images would cross the network
 * in the clear, and anyone could use its AE title there); one that must show a
 * certificate is refused without one that chains to our CA. A plain peer may
 * use the TLS port: that is only better.
 */
export function authorizeDicomTransport(
  peer: PeerTransportRequirements,
  connection: Pick<AssociationRequestInfo, 'secure' | 'clientCertificateAuthorized'>,
): TransportDecision {
  if ((peer.tls || peer.requireClientCertificate) && !connection.secure) {
    return { allowed: false, reason: 'DICOM TLS required: association on the plain DICOM port' };
  }
  if (peer.requireClientCertificate && !connection.clientCertificateAuthorized) {
    return { allowed: false, reason: 'client certificate required: none, or not issued by DICOM_TLS_CA' };
  }
  return { allowed: true };
}
