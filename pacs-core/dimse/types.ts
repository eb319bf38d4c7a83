// What the portal injects into the DIMSE server: pacs-core applies policy, it
// never decides it (docs/architecture.md).
import type { AccessEvent, AccessScope } from '../access';
import type { Logger } from '../logger';
import type { DicomPeerAddress } from './scu';
import type { DicomTlsCredentials, TransportFacts } from './tls';

export interface AssociationRequestInfo extends TransportFacts {
  callingAet: string;
  calledAet: string;
  remoteAddress: string;
}

/** A known calling AE title refused for another reason (e.g. TLS required): audited with `reason`, answered like an unknown one. */
export interface AssociationRefusal {
  refused: string;
}

/** What an accepted association may do: where its C-STOREs go, what its queries see. */
export interface AssociationGrant {
  facilityId: string;
  readScope: AccessScope;
  /** For logs and audit, e.g. "AE:CT1" */
  peerLabel: string;
}

export type DimseAuditEvent = AccessEvent & { callingAet: string; remoteAddress: string };

export interface DimseServerOptions {
  /** 0 = any free port (tests) */
  port: number;
  /** Our AE title: the called AE title an association must name */
  aet: string;
  /** DICOM TLS: a second listener on its own port (0 = any free port, tests) with these credentials */
  tls?: { port: number; credentials: DicomTlsCredentials };
  logger?: Logger;
  /**
   * null or a refusal refuses the association: calling AE title not
   * recognized (PS3.8 Table 9-21), whatever the reason, so a prober learns
   * nothing; the reason goes to the log and the audit trail.
   */
  authorizeAssociation(request: AssociationRequestInfo): AssociationDecision | Promise<AssociationDecision>;
  /** Records one operation on patient data (one per C-FIND/C-MOVE/C-GET, one per study for C-STOREs) */
  audit(event: DimseAuditEvent): void | Promise<void>;
  /**
   * Where a C-MOVE destination AE title is, for the association asking
   * (null: 0xA801 move destination unknown). A destination the requester may
   * not send to looks unknown.
   */
  resolvePeer(aet: string, requester: AssociationGrant): DicomPeerAddress | null | Promise<DicomPeerAddress | null>;
}

export type AssociationDecision = AssociationGrant | AssociationRefusal | null;

export interface DimseServer {
  /** The bound port (the real one when options.port was 0) */
  port: number;
  /** The bound DICOM TLS port, when options.tls was given */
  tlsPort: number | undefined;
  close(): Promise<void>;
}
