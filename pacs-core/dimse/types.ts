// What the portal injects into the DIMSE server: pacs-core applies policy, it
// never decides it (docs/architecture.md).
import type { AccessEvent, AccessScope } from '../access';
import type { Logger } from '../logger';
import type { DimseConnectionLimits } from './connection-limits';
import type { DicomPeerAddress } from './scu';
import type { DicomTlsCredentials, TransportFacts } from './tls';

/**
 * What the association policy is told about a request. Facts about the
 * transport (a TLS listener: secure, the client's certificate) are added
 * here by the listener that accepted the connection (ConnectionFacts).
 */
export interface AssociationRequestInfo extends ConnectionFacts, TransportFacts {
  callingAet: string;
  calledAet: string;
}

/** What a listener knows about one connection before any PDU is read. */
export interface ConnectionFacts {
  /** The peer's IP address as the socket reports it (IPv4-mapped IPv6 included) */
  remoteAddress: string;
}

/**
 * The policy's answer. A refusal is sent as A-ASSOCIATE-RJ "calling AE title
 * not recognized" whatever the reason, so a prober cannot tell a known AE
 * title from an unknown one; the reason goes to the log and the audit trail.
 */
export type AssociationDecision =
  | { accepted: true; grant: AssociationGrant }
  | {
      accepted: false;
      /** For the server log and the audit trail, never for the requester */
      reason: string;
      /** Whose audit trail records the attempt (the peer's facility when the AE title is known) */
      facilityId?: string;
      /** More for the audit trail, e.g. the registered host */
      details?: Record<string, unknown>;
    };

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
  /** Timers and connection caps; each unset one takes its default (server.ts) */
  limits?: Partial<DimseConnectionLimits>;
  /** TCP balancers (normalized addresses) whose connections start with a PROXY header naming the modality's address (proxy-protocol.ts) */
  proxyProtocolFrom?: readonly string[];
  /** The largest C-STORE dataset accepted, bytes (default 2 GiB); a larger one is answered 0xA700 */
  maxDatasetBytes?: number;
  /** Who may associate (lib/policy/dicom-association.ts); a refusal is answered as in AssociationDecision */
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

export interface DimseServer {
  /** The bound port (the real one when options.port was 0) */
  port: number;
  /** The bound DICOM TLS port, when options.tls was given */
  tlsPort: number | undefined;
  /** DIMSE connections open now (within the limits) */
  readonly openConnections: number;
  close(): Promise<void>;
}
