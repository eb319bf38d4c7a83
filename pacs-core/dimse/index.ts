// pacs-core/dimse: DICOM network services (PS3.4, PS3.7, PS3.8) over dcmjs-dimse.
export { DEFAULT_CONNECTION_LIMITS, startDimseServer } from './server';
export type { DimseConnectionLimits } from './connection-limits';
export { sendInstances, sendSeries, sendStudy } from './scu';
export type { DicomPeerAddress, SendInstancesOptions, SendResult } from './scu';
export type { AssociationDecision, AssociationGrant, AssociationRequestInfo, ConnectionFacts, DimseAuditEvent, DimseServer, DimseServerOptions } from './types';
export { echoPeer, type EchoResult } from './echo';
