// The archive facade: the one object the doors (DICOMweb, DIMSE, upload,
// federation) talk to. Usable without Next and without lib/ (headless node).
import { EventEmitter } from 'node:events';
import type { Database, IndexConnection } from '../prisma/database';
import type { AccessScope, IngestOrigin } from './access';
import type { BlobStore } from './store/blob-store';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { createInstanceWriter, type InstanceWriter } from './index/instance-writer';
import { ingestInstance, type IngestOptions, type IngestResult, type StreamedInstance } from './ingest';
import { sendStudy, type DicomPeerAddress, type SendResult } from './dimse/scu';
import type { DicomTlsCredentials } from './dimse/tls';
import { createLocalLocks, createPostgresLocks, type UidLocks } from './locks/uid-locks';
import { StoreFullness } from './store/store-fullness';

export interface ArchiveEventMap {
  /** After an instance is durable and indexed (not for an identical re-send). */
  'instance.stored': [IngestResult];
  /** After a study's rows, caches and files were removed (pacs-core/delete-study.ts). */
  'study.deleted': [{ studyInstanceUid: string; facilityId: string }];
  /** After ingest's known-series cache forgot these series (all: undefined): a patient correction or merge, a deletion */
  'series.forgotten': [{ seriesIds: string[] | undefined }];
}

export interface ArchiveOptions {
  db: Database;
  /**
   * The driver-level connection (prisma/database.ts, openIndexConnection) the
   * per-image index rows are written through; its owner closes it. Without
   * it the archive serves reads only and ingest fails with STORAGE_FAILURE.
   */
  indexConnection?: IndexConnection;
  store: BlobStore;
  /** Directory for derived, rebuildable data (series metadata cache) */
  cacheDir: string;
  logger?: Logger;
  /** Our DICOM AE title, the calling AE of what we send (default TELEPACS) */
  aeTitle?: string;
  /** DICOM TLS: our certificate and key and the CA, for sending to peers with `tls` (unset: such peers fail) */
  dicomTls?: DicomTlsCredentials;
  /**
   * The issuer of the region-wide patient IDs (REGION_PATIENT_ID_ISSUER): a
   * new study whose PatientID or OtherPatientIDsSequence carries an ID of this
   * issuer links its patient record to that person (index/region-patient-link.ts).
   * Unset: no automatic linking.
   */
  regionPatientIdIssuer?: string;
}

export class Archive {
  readonly db: Database;
  readonly instanceWriter: InstanceWriter | undefined;
  readonly store: BlobStore;
  readonly cacheDir: string;
  readonly logger: Logger;
  readonly aeTitle: string;
  readonly dicomTls: DicomTlsCredentials | undefined;
  readonly regionPatientIdIssuer: string | undefined;
  readonly events = new EventEmitter<ArchiveEventMap>();
  /** The study and SOP locks of ingest and deletion: across processes on PostgreSQL */
  readonly locks: UidLocks;
  /** Whether images have been refused for want of room since the last one stored (health, admin page) */
  readonly storeFullness = new StoreFullness();

  constructor(options: ArchiveOptions) {
    this.db = options.db;
    this.locks = options.indexConnection?.kind === 'postgres' ? createPostgresLocks(options.indexConnection.lockPool) : createLocalLocks();
    this.instanceWriter = options.indexConnection && createInstanceWriter(options.indexConnection);
    this.store = options.store;
    this.cacheDir = options.cacheDir;
    this.logger = options.logger ?? silentLogger;
    this.aeTitle = options.aeTitle ?? 'TELEPACS';
    this.dicomTls = options.dicomTls;
    this.regionPatientIdIssuer = options.regionPatientIdIssuer || undefined;
  }

  /**
   * The one ingest path (STYLE.md): parse the header, store the file durably,
   * commit the index, then report. Throws ArchiveError with a precise code.
   */
  async ingest(bytes: Buffer | StreamedInstance, origin: IngestOrigin, facilityId: string, options?: IngestOptions): Promise<IngestResult> {
    let result: IngestResult;
    try {
      result = await ingestInstance(this, bytes, origin, facilityId, options);
    } catch (error) {
      this.storeFullness.noteFailure(error);
      throw error;
    }
    if (result.status === 'stored') {
      this.storeFullness.noteStored();
      this.events.emit('instance.stored', result);
    }
    return result;
  }

  /**
   * Sends a stored study to a DICOM peer by C-STORE (the SCU C-MOVE uses too),
   * each instance as stored when the peer accepts its transfer syntax; over
   * DICOM TLS when the peer has `tls`. Access
   * is the caller's decision (pacs-core applies policy, never decides it);
   * `scope` picks which facility's copy is sent (default: the oldest).
   */
  async sendTo(peer: DicomPeerAddress, studyInstanceUid: string, options: { callingAet?: string; scope?: AccessScope } = {}): Promise<SendResult> {
    return sendStudy(this, peer, studyInstanceUid, { callingAet: options.callingAet ?? this.aeTitle, scope: options.scope });
  }
}

export type { IngestOptions, IngestResult, DicomPeerAddress, SendResult };
