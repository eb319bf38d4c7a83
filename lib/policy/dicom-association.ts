// Who may open a DICOM association with us (the DIMSE door). The calling AE
// title names the peer — and through it the facility whose data the
// association reaches — but an AE title is no secret (CT1 is a common one),
// so the peer must also call from its registered host. Each rule below gets
// the peer and the request; the first refusal wins.
import type { AssociationDecision, AssociationRequestInfo } from '../../pacs-core/dimse/types';
import type { KnownDicomPeer } from '../dicom-peers/find-dicom-peer';
import { normalizeIpAddress, type ResolveHost } from '../dicom-peers/peer-host-addresses';
import { authorizeDicomTransport } from './dicom-transport';

export interface DicomAssociationContext {
  findPeer(aet: string): Promise<KnownDicomPeer | null>;
  resolveHost: ResolveHost;
}

type Refusal = { reason: string; details?: Record<string, unknown> };
type AssociationRule = (peer: KnownDicomPeer, request: AssociationRequestInfo, context: DicomAssociationContext) => Promise<Refusal | null>;

/**
 * The calling address must be one of the registered host's addresses (an IP
 * literal, or every IPv4 and IPv6 address its name resolves to), unless an
 * administrator deliberately chose "any address" for this peer.
 */
const callsFromRegisteredHost: AssociationRule = async (peer, request, context) => {
  if (peer.anyAddress) return null;
  const caller = normalizeIpAddress(request.remoteAddress);
  const resolved = await context.resolveHost(peer.host);
  if (!resolved.ok) return { reason: 'registered host could not be resolved', details: { host: peer.host, error: resolved.error } };
  if (caller && resolved.addresses.includes(caller)) return null;
  return { reason: 'calling address is not the registered host', details: { host: peer.host, hostAddresses: resolved.addresses } };
};

/** DICOM TLS per peer (dicom-transport.ts): a TLS peer only over TLS, with its certificate where required. */
const usesRequiredTransport: AssociationRule = async (peer, request) => {
  const transport = authorizeDicomTransport(peer, request);
  return transport.allowed ? null : { reason: transport.reason };
};

// The transport first: a TLS peer on the plain port is refused whatever its address.
const RULES: readonly AssociationRule[] = [usesRequiredTransport, callsFromRegisteredHost];

export async function authorizeDicomAssociation(context: DicomAssociationContext, request: AssociationRequestInfo): Promise<AssociationDecision> {
  const peer = await context.findPeer(request.callingAet);
  if (!peer) return { accepted: false, reason: 'calling AE title not recognized' };
  for (const rule of RULES) {
    const refusal = await rule(peer, request, context);
    // Audited in the peer's facility: its administrator is the one who must see the probe
    if (refusal) return { accepted: false, reason: refusal.reason, facilityId: peer.facilityId, details: refusal.details };
  }
  return {
    accepted: true,
    grant: { facilityId: peer.facilityId, readScope: { kind: 'facilities', facilityIds: [peer.facilityId] }, peerLabel: `AE:${peer.aet}` },
  };
}
