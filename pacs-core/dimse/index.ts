// pacs-core/dimse: DICOM network services (PS3.4, PS3.7, PS3.8) over dcmjs-dimse.
export { startDimseServer } from './server';
export { sendInstances, sendSeries, sendStudy } from './scu';
export type { DicomPeerAddress, SendInstancesOptions, SendResult } from './scu';
export type { AssociationGrant, AssociationRequestInfo, DimseAuditEvent, DimseServer, DimseServerOptions } from './types';
export { echoPeer, type EchoResult } from './echo';
