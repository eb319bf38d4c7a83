// One association as seen by our SCP: negotiation (PS3.8 7.1, PS3.7 D.3.3),
// then the services of PS3.4: Verification (A), Storage (B), Query/Retrieve
// (C: C-FIND, C-MOVE, C-GET, C-CANCEL), Modality Worklist (K: C-FIND).
// Handlers are thin: they call the archive and map errors with
// toDimseStatus; a C-STORE dataset is received by store-receiving.ts,
// Query/Retrieve answered by query-retrieve.ts (matching in find.ts and
// retrieve.ts, sending in store-sender.ts/scu.ts), the worklist by
// worklist-find.ts (matching in pacs-core/worklist).
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';
import type { requests as RequestTypes } from 'dcmjs-dimse';
import { Dataset, Scp, constants, responses, type Association, type PresentationContext } from './dcmjs-dimse';
import type { Archive } from '../archive';
import { ingestInputOf } from '../instance-receiver';
import { ArchiveError, toDimseStatus } from '../errors';
import type { Logger } from '../logger';
import { MODALITY_WORKLIST_FIND, STATUS } from './constants';
import { decidePresentationContext } from './negotiation';
import { buildPart10Header, type Part10HeaderFields } from './part10-header';
import { PduFramer, PduFramingError } from './pdu-framer';
import { QueryRetrieveService, letIncomingPdusIn, type QueryRetrieveSession } from './query-retrieve';
import { DEFAULT_MAX_DATASET_BYTES, Part10Collector, ReceivedFile, receivedFileOf } from './store-receiving';
import { storeResponsePdu } from './store-response';
import { WorklistFindService } from './worklist-find';
import { transportFactsOf } from './tls';
import { AssociationTimers } from './association-timers';
import { abortPdu, type DimseConnectionLimits } from './connection-limits';
import type { AssociationGrant, ConnectionFacts, DimseAuditEvent, DimseServerOptions } from './types';

const { CEchoResponse, CFindResponse, CGetResponse, CMoveResponse, CStoreResponse } = responses;
const { PresentationContextResult, RejectReason, RejectResult, RejectSource } = constants;
type CStoreRequest = RequestTypes.CStoreRequest;
type CFindRequest = RequestTypes.CFindRequest;
type CMoveRequest = RequestTypes.CMoveRequest;
type CGetRequest = RequestTypes.CGetRequest;
type CCancelRequest = RequestTypes.CCancelRequest;

/**
 * The largest P-DATA-TF PDU we announce we receive (A-ASSOCIATE-AC Maximum
 * Length Received, PS3.8 D.1.1). Senders cut a dataset into PDUs of at most
 * this size: a 512×512 CT image is 2 PDUs at 256 KiB instead of 33 at the
 * 16 KiB most peers propose, and every PDU costs a pass through the PDU code.
 */
export const MAX_RECEIVE_PDU_LENGTH = 256 * 1024;
/** PDUs above this are refused (before allocation) even if a peer ignores our limit. */
const PDU_FRAMING_LIMIT = 16 * 1024 * 1024;

/** The parts of dcmjs-dimse's Network (its private API, pinned version) the receive path replaces. */
interface NetworkInternals {
  lastPduTime: number | undefined;
  timeoutIntervalId: NodeJS.Timeout | undefined;
  statistics: { addBytesReceived(count: number): void; addBytesSent(count: number): void };
  _processPdu(pdu: Buffer): Promise<void>;
  _reset(): void;
  emit(event: 'networkError', error: Error): boolean;
}

export interface ScpContext {
  archive: Archive;
  options: DimseServerOptions;
  logger: Logger;
  /** Registers work the server must wait for when it closes */
  track(work: Promise<unknown>): void;
  limits: DimseConnectionLimits;
}

// PS3.8 Table 9-26: A-ABORT source 2 = DICOM UL service-provider, reason 0 = not specified
const ABORT_SOURCE_SERVICE_PROVIDER = 2;
const ABORT_REASON_NOT_SPECIFIED = 0;

interface StudyTally {
  stored: number;
  duplicates: number;
  failed: number;
  patientId?: string;
  facilityId?: string;
}

export class TelepacsScp extends Scp {
  private grant: AssociationGrant | undefined;
  private callingAet = '';
  private negotiated: Association | undefined;
  private closed = false;
  /** Running C-FIND/C-MOVE/C-GET by message ID, for C-CANCEL (PS3.7 9.3.2.3) */
  private readonly operations = new Map<number, { cancelled: boolean }>();
  /** C-STORE outcomes per study, audited once per association (on release or close) */
  private readonly storeTally = new Map<string, StudyTally>();
  /** The C-STORE dataset being received, discarded if the connection ends before its last PDU */
  private receiving: Part10Collector | undefined;
  /** DIMSE operations whose handler has not finished (they keep an idle association open) */
  private running = 0;
  private readonly timers: AssociationTimers;
  private readonly queryRetrieve: QueryRetrieveService;
  private readonly worklist: WorklistFindService;

  constructor(
    private readonly connection: Socket,
    private readonly facts: ConnectionFacts,
    private readonly context: ScpContext,
  ) {
    super(connection, {});
    this.replaceLibraryTimers(connection);
    this.timers = new AssociationTimers(connection, context.limits, {
      artimExpired: () => this.context.logger.info('DIMSE connection closed: no association within the ARTIM time', { remoteAddress: this.remoteAddress, artimMs: context.limits.artimMs }),
      idle: () => this.abortIdle(),
      isBusy: () => this.running > 0 || this.receiving !== undefined,
    });
    this.on('networkError', (error: Error) => {
      this.context.logger.warn('DIMSE connection error', { callingAet: this.callingAet, remoteAddress: this.remoteAddress, error: error.message });
      connection.destroy();
    });
    connection.once('close', () => this.connectionClosed());
    this.replacePduAccumulator(connection);
    this.queryRetrieve = new QueryRetrieveService(this.queryRetrieveSession());
    this.worklist = new WorklistFindService(this.queryRetrieveSession());
  }

  /** What C-FIND, C-MOVE and C-GET (query-retrieve.ts) see of this association. */
  private queryRetrieveSession(): QueryRetrieveSession {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getters read the association's state when called
    const scp = this;
    return {
      context: this.context,
      get callingAet() {
        return scp.callingAet;
      },
      get grant() {
        return scp.grant;
      },
      get association() {
        return scp.negotiated;
      },
      get closed() {
        return scp.closed;
      },
      network: this,
      beginOperation: (messageId) => {
        const operation = { cancelled: false };
        this.operations.set(messageId, operation);
        return operation;
      },
      endOperation: (messageId) => {
        this.operations.delete(messageId);
      },
      letIncomingPdusIn: () => letIncomingPdusIn(this.connection),
      audit: (event) => this.audit(event),
    };
  }

  /**
   * dcmjs-dimse arms the socket's inactivity timeout (which would close a
   * C-MOVE association waiting on its sub-operations) and a per-connection
   * interval (whose checks never apply to an accepted socket);
   * association-timers.ts keeps the clocks instead.
   */
  private replaceLibraryTimers(connection: Socket): void {
    const network = this as unknown as NetworkInternals;
    connection.setTimeout(0);
    connection.removeAllListeners('timeout');
    if (network.timeoutIntervalId) clearInterval(network.timeoutIntervalId);
    network.timeoutIntervalId = undefined;
  }

  /**
   * dcmjs-dimse's own 'data' listener re-concatenates the partial PDU with
   * every chunk (quadratic in the PDU size); ours (pdu-framer.ts) copies each
   * byte at most once and hands whole PDUs to the library's PDU handling.
   */
  private replacePduAccumulator(connection: Socket): void {
    const network = this as unknown as NetworkInternals;
    connection.removeAllListeners('data');
    const framer = new PduFramer(PDU_FRAMING_LIMIT, (pdu) => {
      network.lastPduTime = Date.now();
      void network._processPdu(pdu);
    });
    connection.on('data', (chunk: Buffer) => {
      network.statistics.addBytesReceived(chunk.length);
      try {
        framer.push(chunk);
      } catch (error) {
        if (!(error instanceof PduFramingError)) throw error;
        connection.removeAllListeners('data');
        network._reset();
        network.emit('networkError', new Error(`malformed PDU stream: ${error.message}`));
      }
    });
  }

  private get remoteAddress(): string {
    return this.facts.remoteAddress;
  }

  // ---- association --------------------------------------------------------

  override associationRequested(association: Association): void {
    this.context.track(
      this.negotiate(association).catch((error: unknown) => {
        this.context.logger.error('association negotiation failed', { error: String(error) });
        this.refuse(RejectResult.Transient, RejectReason.NoReasonGiven);
      }),
    );
  }

  private async negotiate(association: Association): Promise<void> {
    this.negotiated = association;
    this.callingAet = association.getCallingAeTitle().trim();
    const calledAet = association.getCalledAeTitle().trim();
    const { options, logger } = this.context;
    const who = { callingAet: this.callingAet, calledAet, remoteAddress: this.remoteAddress, ...transportFactsOf(this.connection) };
    if (calledAet !== options.aet) {
      logger.warn('association rejected: called AE title not recognized', { ...who, expected: options.aet });
      await this.audit({ action: 'dimse.associate', outcome: 'DENIED', details: { reason: 'called AE title not recognized', calledAet } });
      return this.refuse(RejectResult.Permanent, RejectReason.CalledAeNotRecognized);
    }
    const decision = await options.authorizeAssociation(who);
    if (!decision.accepted) {
      // The same answer for every refusal: a prober must not learn that an AE title is registered
      logger.warn(`association rejected: ${decision.reason}`, { ...who, ...decision.details });
      await this.audit({
        action: 'dimse.associate',
        outcome: 'DENIED',
        facilityId: decision.facilityId,
        details: { reason: decision.reason, calledAet, secure: who.secure, clientCertificateSubject: who.clientCertificateSubject, ...decision.details },
      });
      return this.refuse(RejectResult.Permanent, RejectReason.CallingAeNotRecognized);
    }
    const { grant } = decision;
    this.grant = grant;
    for (const { context } of association.getPresentationContexts()) {
      const decision = decidePresentationContext(context.getAbstractSyntaxUid(), context.getTransferSyntaxUids());
      if (decision.accept) context.setResult(PresentationContextResult.Accept, decision.transferSyntaxUid);
      else if (decision.reason === 'abstract-syntax-not-supported') context.setResult(PresentationContextResult.RejectAbstractSyntaxNotSupported);
      else context.setResult(PresentationContextResult.RejectTransferSyntaxesNotSupported);
    }
    logger.info('association accepted', { ...who, peer: grant.peerLabel });
    this.sendAssociationAccept();
  }

  /**
   * dcmjs-dimse answers with min(requestor's limit, its own), as if the two
   * limits were one. They are not (PS3.8 D.1): the requestor's limit bounds
   * what we send, ours what it sends. Announce ours, keep theirs for sending.
   */
  override sendAssociationAccept(): void {
    const association = this.negotiated;
    if (!association) return super.sendAssociationAccept();
    const peerLimit = association.getMaxPduLength();
    association.setMaxPduLength(MAX_RECEIVE_PDU_LENGTH);
    super.sendAssociationAccept();
    association.setMaxPduLength(peerLimit);
    this.timers.established();
  }

  /** PS3.8 9.3.4 / Table 9-21: source 1 = DICOM UL service-user. */
  private refuse(result: number, reason: number): void {
    this.sendAssociationReject(result, RejectSource.ServiceUser, reason);
    // The requester closes the connection on A-ASSOCIATE-RJ; it is closed for one that does not
    this.timers.closing();
  }

  override associationReleaseRequested(): void {
    this.context.track(
      this.flushStoreAudit().finally(() => {
        this.sendAssociationReleaseResponse();
        this.timers.closing();
      }),
    );
  }

  /** PS3.8 9.3.8: an association with no traffic for the idle time is aborted by the provider. */
  private abortIdle(): void {
    this.context.logger.warn('association aborted: idle', { callingAet: this.callingAet, remoteAddress: this.remoteAddress, idleMs: this.context.limits.idleMs });
    if (!this.closed) this.connection.write(abortPdu(ABORT_SOURCE_SERVICE_PROVIDER, ABORT_REASON_NOT_SPECIFIED));
  }

  /** Runs one operation's handler: tracked for close(), and counted so the idle clock waits for it. */
  private run(work: Promise<unknown>): Promise<unknown> {
    this.running += 1;
    const counted = work.finally(() => {
      this.running -= 1;
    });
    this.context.track(counted);
    return counted;
  }

  override abort(): void {
    this.connection.destroy();
  }

  private connectionClosed(): void {
    this.closed = true;
    if (this.receiving) this.context.track(this.receiving.incoming.discard());
    this.receiving = undefined;
    for (const operation of this.operations.values()) operation.cancelled = true;
    this.context.track(this.flushStoreAudit());
  }

  // ---- C-ECHO (PS3.4 A) ---------------------------------------------------

  override cEchoRequest(request: RequestTypes.CEchoRequest, callback: (response: InstanceType<typeof CEchoResponse>) => void): void {
    const response = CEchoResponse.fromRequest(request);
    response.setStatus(STATUS.SUCCESS);
    callback(response);
  }

  // ---- C-STORE (PS3.4 B) --------------------------------------------------

  override createStoreWritableStream(context: PresentationContext, request: CStoreRequest): Writable {
    const fields: Part10HeaderFields = {
      sopClassUid: request.getAffectedSopClassUid(),
      sopInstanceUid: request.getAffectedSopInstanceUid(),
      transferSyntaxUid: context.getAcceptedTransferSyntaxUid() ?? '',
      sourceAeTitle: this.callingAet,
    };
    this.receiving = new Part10Collector(
      buildPart10Header(fields),
      this.context.archive.store.begin(),
      this.context.options.maxDatasetBytes ?? DEFAULT_MAX_DATASET_BYTES,
    );
    return this.receiving;
  }

  override createDatasetFromStoreWritableStream(writable: Writable, context: PresentationContext, callback: (dataset: Dataset) => void): void {
    const transferSyntaxUid = context.getAcceptedTransferSyntaxUid() ?? '';
    if (writable === this.receiving) this.receiving = undefined;
    const deliver = () =>
      callback(writable instanceof Part10Collector ? receivedFileOf(writable, context.getPresentationContextId(), transferSyntaxUid) : new Dataset({}, transferSyntaxUid));
    if (writable.writableFinished) deliver();
    else writable.once('finish', deliver);
  }

  override cStoreRequest(request: CStoreRequest, callback: (response: InstanceType<typeof CStoreResponse>) => void): void {
    void this.run(this.store(request).then((response) => this.sendStoreResponse(request, response, callback)));
  }

  private async store(request: CStoreRequest): Promise<InstanceType<typeof CStoreResponse>> {
    const response = CStoreResponse.fromRequest(request);
    const sopInstanceUid = request.getAffectedSopInstanceUid();
    const dataset = request.getDataset();
    try {
      if (!this.grant || !(dataset instanceof ReceivedFile)) throw new ArchiveError('INTERNAL', 'C-STORE outside a negotiated association');
      if (dataset.oversize) {
        const limitMiB = Math.floor(dataset.oversize.limitBytes / (1024 * 1024));
        throw new ArchiveError('PAYLOAD_TOO_LARGE', `the dataset is larger than ${limitMiB} MiB (DICOM_MAX_DATASET_MB)`, { limitBytes: dataset.oversize.limitBytes });
      }
      const { input, incoming } = ingestInputOf(dataset.received);
      const result = await this.context.archive.ingest(
        input,
        { kind: 'dimse', callingAet: this.callingAet, remoteAddress: this.remoteAddress },
        this.grant.facilityId,
        // The dataset must be what the command announced: checked on ingest's own parse
        { ...(incoming ? { incoming } : {}), expectedSop: { sopClassUid: request.getAffectedSopClassUid(), sopInstanceUid: request.getAffectedSopInstanceUid() } },
      );
      const tally = this.tallyFor(result.studyInstanceUid);
      tally.patientId = result.patientId;
      tally.facilityId = result.facilityId;
      if (result.status === 'stored') tally.stored += 1;
      else tally.duplicates += 1;
      response.setStatus(STATUS.SUCCESS);
    } catch (error) {
      // Refused before ingest took the blob over: nothing may stay behind (a no-op once ingest had it)
      if (dataset instanceof ReceivedFile) await dataset.received.incoming.discard();
      const failure = toDimseStatus(error);
      this.context.logger.warn('C-STORE failed', {
        callingAet: this.callingAet,
        sopInstanceUid,
        status: `0x${failure.status.toString(16).padStart(4, '0')}`,
        error: error instanceof Error ? error.message : String(error),
      });
      this.tallyFor('').failed += 1;
      response.setStatus(failure.status);
      response.setErrorComment(failure.errorComment);
    }
    return response;
  }

  /** The response as bytes of our own (store-response.ts), on the presentation context the request came on. */
  private sendStoreResponse(
    request: CStoreRequest,
    response: InstanceType<typeof CStoreResponse>,
    viaLibrary: (response: InstanceType<typeof CStoreResponse>) => void,
  ): void {
    const dataset = request.getDataset();
    if (!(dataset instanceof ReceivedFile)) return viaLibrary(response);
    if (this.closed) return;
    const pdu = storeResponsePdu({
      presentationContextId: dataset.presentationContextId,
      affectedSopClassUid: request.getAffectedSopClassUid(),
      affectedSopInstanceUid: request.getAffectedSopInstanceUid(),
      messageIdBeingRespondedTo: request.getMessageId(),
      status: response.getStatus(),
      errorComment: response.getErrorComment() || undefined,
    });
    this.connection.write(pdu);
    (this as unknown as NetworkInternals).statistics.addBytesSent(pdu.length);
  }

  private tallyFor(studyUid: string): StudyTally {
    let tally = this.storeTally.get(studyUid);
    if (!tally) {
      tally = { stored: 0, duplicates: 0, failed: 0 };
      this.storeTally.set(studyUid, tally);
    }
    return tally;
  }

  /** One audit event per study per association (not one per image). */
  private async flushStoreAudit(): Promise<void> {
    const tallies = [...this.storeTally.entries()];
    this.storeTally.clear();
    for (const [studyUid, tally] of tallies) {
      await this.audit({
        action: 'dimse.c-store',
        outcome: tally.failed ? 'FAILURE' : 'SUCCESS',
        ...(studyUid ? { studyUid } : {}),
        ...(tally.patientId !== undefined ? { patientId: tally.patientId } : {}),
        facilityId: tally.facilityId ?? this.grant?.facilityId,
        details: { stored: tally.stored, duplicates: tally.duplicates, failed: tally.failed },
      });
    }
  }

  // ---- C-FIND (PS3.4 C.4.1) -----------------------------------------------

  override cFindRequest(request: CFindRequest, callback: (responses: InstanceType<typeof CFindResponse>[]) => void): void {
    // Responses go out one by one through sendResponse (dcmjs-dimse's callback
    // may be called only once); the callback just ends its event chain.
    // The Modality Worklist (PS3.4 K) is a C-FIND of its own SOP class: worklist-find.ts
    const find = request.getAffectedSopClassUid() === MODALITY_WORKLIST_FIND ? this.worklist.find(request) : this.queryRetrieve.find(request);
    void this.run(find.finally(() => callback([])));
  }

  // ---- C-MOVE (PS3.4 C.4.2) and C-GET (PS3.4 C.4.3) -----------------------

  override cMoveRequest(request: CMoveRequest, callback: (responses: InstanceType<typeof CMoveResponse>[]) => void): void {
    void this.run(this.queryRetrieve.retrieve('move', request).finally(() => callback([])));
  }

  override cGetRequest(request: CGetRequest, callback: (responses: InstanceType<typeof CGetResponse>[]) => void): void {
    void this.run(this.queryRetrieve.retrieve('get', request).finally(() => callback([])));
  }

  override cCancelRequest(request: CCancelRequest): void {
    const operation = this.operations.get(request.getMessageIdBeingRespondedTo());
    if (operation) operation.cancelled = true;
  }

  // ---- helpers --------------------------------------------------------------

  private async audit(event: Omit<DimseAuditEvent, 'callingAet' | 'remoteAddress'>): Promise<void> {
    try {
      await this.context.options.audit({ ...event, callingAet: this.callingAet, remoteAddress: this.remoteAddress });
    } catch (error) {
      this.context.logger.error('DIMSE audit failed', { error: String(error), action: event.action });
    }
  }
}
