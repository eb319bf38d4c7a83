// One association as seen by our SCP: negotiation (PS3.8 7.1, PS3.7 D.3.3),
// then the services of PS3.4: Verification (A), Storage (B), Query/Retrieve
// (C: C-FIND, C-MOVE, C-GET, C-CANCEL). Handlers are thin: they call the
// archive and map errors with toDimseStatus; matching lives in find.ts and
// retrieve.ts, sending in store-sender.ts/scu.ts.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { requests as RequestTypes } from 'dcmjs-dimse';
import { Dataset, Scp, constants, requests, responses, type Association, type PresentationContext } from './dcmjs-dimse';
import type { Archive } from '../archive';
import type { IncomingBlob } from '../store/blob-store';
import { InstanceReceiver, ingestInputOf, type ReceivedInstance } from '../instance-receiver';
import { ArchiveError, toDimseStatus } from '../errors';
import type { Logger } from '../logger';
import { QR_MODEL, STATUS, queryRootOf, type QueryRoot } from './constants';
import { planFind } from './find';
import { decidePresentationContext } from './negotiation';
import { buildPart10Header, type Part10HeaderFields } from './part10-header';
import { PduFramer, PduFramingError } from './pdu-framer';
import { storeResponsePdu } from './store-response';
import { transportFactsOf } from './tls';
import { resolveRetrieve, type StoredInstanceRef } from './retrieve';
import { sendInstances } from './scu';
import { sendInstancesOverAssociation, type SubOperationCounts } from './store-sender';
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
type RetrieveResponse = InstanceType<typeof CMoveResponse> | InstanceType<typeof CGetResponse>;

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

/**
 * Takes a C-STORE dataset as dcmjs-dimse receives it, behind the Part 10
 * header it lacks: every chunk goes at once to the store (an IncomingBlob,
 * on disk while the next PDUs arrive) through the InstanceReceiver STOW-RS
 * uses too, which keeps a dataset up to IN_MEMORY_INSTANCE_BYTES in memory
 * for the header parse (the CT/MR hot path: one Buffer.concat, no other
 * copy) and of a larger one only its head, hashing it on the way. The
 * high-water mark is far above a PDU: dcmjs-dimse awaits 'drain' only on the
 * first write of a dataset and processes later PDUs meanwhile, so that first
 * write must never report back-pressure (_write completes at once: the blob
 * writes synchronously, and nothing waits in the stream's buffer).
 */
class Part10Collector extends Writable {
  private readonly receiver: InstanceReceiver;
  constructor(header: Buffer, incoming: IncomingBlob) {
    super({ highWaterMark: 64 * 1024 * 1024 });
    this.receiver = new InstanceReceiver(incoming, { chunksHandedOver: true });
    this.receiver.write(header);
  }
  get incoming(): IncomingBlob {
    return this.receiver.incoming;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.receiver.write(chunk);
    callback();
  }
  received(): ReceivedInstance {
    return this.receiver.finish();
  }
}

/** The dataset handed to cStoreRequest: the complete Part 10 file (whole, or streamed to the store's incoming area with its head), and the presentation context it came on. */
class ReceivedFile extends Dataset {
  constructor(
    readonly received: ReceivedInstance,
    readonly presentationContextId: number,
    transferSyntaxUid: string,
  ) {
    super({}, transferSyntaxUid);
  }
}

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
    this.receiving = new Part10Collector(buildPart10Header(fields), this.context.archive.store.begin());
    return this.receiving;
  }

  override createDatasetFromStoreWritableStream(writable: Writable, context: PresentationContext, callback: (dataset: Dataset) => void): void {
    const transferSyntaxUid = context.getAcceptedTransferSyntaxUid() ?? '';
    if (writable === this.receiving) this.receiving = undefined;
    const deliver = () =>
      callback(
        writable instanceof Part10Collector
          ? new ReceivedFile(writable.received(), context.getPresentationContextId(), transferSyntaxUid)
          : new Dataset({}, transferSyntaxUid),
      );
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
    void this.run(this.find(request).finally(() => callback([])));
  }

  private async find(request: CFindRequest): Promise<void> {
    const operation = this.begin(request.getMessageId());
    const identifier = request.getDataset()?.getElements() ?? {};
    const transferSyntaxUid = this.responseTransferSyntax(request);
    const answer = (status: number, dataset?: Record<string, unknown>, errorComment?: string) => {
      const response = CFindResponse.fromRequest(request);
      response.setAffectedSopClassUid(request.getAffectedSopClassUid());
      response.setStatus(status);
      if (errorComment) response.setErrorComment(errorComment);
      if (dataset) response.setDataset(new Dataset(dataset, transferSyntaxUid));
      this.sendResponse(request, response);
    };
    let matches = 0;
    let level: string | undefined;
    try {
      const root = this.rootOf(request, [QR_MODEL.PATIENT_ROOT_FIND, QR_MODEL.STUDY_ROOT_FIND]);
      const plan = planFind(this.context.archive.db, root, identifier, this.scope(), this.context.options.aet);
      level = plan.level;
      for await (const match of plan.matches) {
        if (operation.cancelled) break;
        answer(STATUS.PENDING, match);
        matches += 1;
        await this.letIncomingPdusIn();
      }
      if (!this.closed) answer(operation.cancelled ? STATUS.CANCEL : STATUS.SUCCESS);
      await this.audit({
        action: 'dimse.c-find',
        outcome: 'SUCCESS',
        ...singleStudy(identifier),
        details: { level, matches, cancelled: operation.cancelled, keys: Object.keys(identifier).filter((key) => !key.startsWith('_')) },
      });
    } catch (error) {
      const failure = toDimseStatus(error);
      this.context.logger.warn('C-FIND failed', { callingAet: this.callingAet, error: error instanceof Error ? error.message : String(error) });
      if (!this.closed) answer(failure.status, undefined, failure.errorComment);
      await this.audit({ action: 'dimse.c-find', outcome: 'FAILURE', ...singleStudy(identifier), details: { level, error: failure.errorComment } });
    } finally {
      this.end(request.getMessageId());
    }
  }

  // ---- C-MOVE (PS3.4 C.4.2) and C-GET (PS3.4 C.4.3) -----------------------

  override cMoveRequest(request: CMoveRequest, callback: (responses: InstanceType<typeof CMoveResponse>[]) => void): void {
    void this.run(this.retrieve('move', request).finally(() => callback([])));
  }

  override cGetRequest(request: CGetRequest, callback: (responses: InstanceType<typeof CGetResponse>[]) => void): void {
    void this.run(this.retrieve('get', request).finally(() => callback([])));
  }

  override cCancelRequest(request: CCancelRequest): void {
    const operation = this.operations.get(request.getMessageIdBeingRespondedTo());
    if (operation) operation.cancelled = true;
  }

  private async retrieve(kind: 'move' | 'get', request: CMoveRequest | CGetRequest): Promise<void> {
    const messageId = request.getMessageId();
    const operation = this.begin(messageId);
    const identifier = request.getDataset()?.getElements() ?? {};
    const transferSyntaxUid = this.responseTransferSyntax(request);
    const action = kind === 'move' ? 'dimse.c-move' : 'dimse.c-get';
    const answer = (status: number, counts: SubOperationCounts | undefined, options: { errorComment?: string; final?: boolean } = {}) => {
      if (this.closed) return;
      const response: RetrieveResponse = request instanceof requests.CMoveRequest ? CMoveResponse.fromRequest(request) : CGetResponse.fromRequest(request);
      response.setAffectedSopClassUid(request.getAffectedSopClassUid());
      response.setStatus(status);
      if (options.errorComment) response.setErrorComment(options.errorComment);
      if (counts) {
        // PS3.4 C.4.2.1.5: the final response carries no remaining count, except after a cancel
        if (!options.final || status === STATUS.CANCEL) response.setRemaining(counts.remaining);
        response.setCompleted(counts.completed);
        response.setFailures(counts.failed);
        response.setWarnings(counts.warning);
        if (options.final && counts.failedSopInstanceUids.length) {
          response.setDataset(new Dataset({ FailedSOPInstanceUIDList: counts.failedSopInstanceUids }, transferSyntaxUid));
        }
      }
      this.sendResponse(request, response);
    };
    let destination: string | undefined;
    let instances: StoredInstanceRef[] = [];
    try {
      const root = this.rootOf(
        request,
        kind === 'move' ? [QR_MODEL.PATIENT_ROOT_MOVE, QR_MODEL.STUDY_ROOT_MOVE] : [QR_MODEL.PATIENT_ROOT_GET, QR_MODEL.STUDY_ROOT_GET],
      );
      let peer = null;
      if (kind === 'move') {
        destination = String(request.getCommandDataset().getElement('MoveDestination') ?? '').trim();
        peer = destination && this.grant ? await this.context.options.resolvePeer(destination, this.grant) : null;
        if (!peer) {
          this.context.logger.warn('C-MOVE refused: move destination unknown', { callingAet: this.callingAet, destination });
          answer(STATUS.MOVE_DESTINATION_UNKNOWN, undefined, { errorComment: `move destination ${destination ?? ''} unknown`.slice(0, 64) });
          await this.audit({ action, outcome: 'FAILURE', ...singleStudy(identifier), details: { destination, error: 'move destination unknown' } });
          return;
        }
      }
      const resolved = await resolveRetrieve(this.context.archive.db, root, identifier, this.scope());
      instances = resolved.instances;
      const onProgress = (counts: SubOperationCounts) => {
        if (counts.remaining > 0) answer(STATUS.PENDING, counts);
      };
      const isCancelled = () => operation.cancelled || this.closed;
      const result = peer
        ? await sendInstances(this.context.archive, peer, instances, {
            callingAet: this.context.options.aet,
            logger: this.context.logger,
            onProgress,
            isCancelled,
            moveOriginator: { aeTitle: this.callingAet, messageId },
          })
        : await this.getOnThisAssociation(instances, onProgress, isCancelled);
      const status = result.cancelled
        ? STATUS.CANCEL
        : result.failed > 0 && result.completed + result.warning === 0
          ? STATUS.SUB_OPERATIONS_REFUSED
          : result.failed > 0 || result.warning > 0
            ? STATUS.SUB_OPERATIONS_WITH_FAILURES
            : STATUS.SUCCESS;
      answer(status, result, { final: true, ...(status === STATUS.SUB_OPERATIONS_REFUSED ? { errorComment: 'no sub-operation succeeded' } : {}) });
      await this.audit({
        action,
        outcome: status === STATUS.SUCCESS ? 'SUCCESS' : 'FAILURE',
        ...studiesOf(instances),
        details: { level: resolved.level, destination, completed: result.completed, failed: result.failed, warning: result.warning, cancelled: result.cancelled },
      });
    } catch (error) {
      const failure = toDimseStatus(error);
      this.context.logger.warn(`C-${kind.toUpperCase()} failed`, { callingAet: this.callingAet, error: error instanceof Error ? error.message : String(error) });
      answer(failure.status, undefined, { errorComment: failure.errorComment });
      await this.audit({ action, outcome: 'FAILURE', ...singleStudy(identifier), details: { destination, error: failure.errorComment } });
    } finally {
      this.end(messageId);
    }
  }

  /** PS3.4 C.4.3.3: C-GET's C-STORE sub-operations go over the C-GET's own association. */
  private async getOnThisAssociation(instances: StoredInstanceRef[], onProgress: (counts: SubOperationCounts) => void, isCancelled: () => boolean) {
    const association = this.negotiated;
    if (!association) throw new ArchiveError('INTERNAL', 'C-GET outside a negotiated association');
    const result = await sendInstancesOverAssociation(this, association, instances, {
      loadFile: (instance) => this.context.archive.store.get(instance.blobKey),
      logger: this.context.logger,
      onProgress,
      isCancelled,
      isConnectionLost: () => this.closed,
    });
    return { ...result, total: instances.length };
  }

  // ---- helpers --------------------------------------------------------------

  private scope() {
    if (!this.grant) throw new ArchiveError('INTERNAL', 'no association');
    return this.grant.readScope;
  }

  private rootOf(request: { getAffectedSopClassUid(): string }, allowed: readonly string[]): QueryRoot {
    const sopClassUid = request.getAffectedSopClassUid();
    const root = allowed.includes(sopClassUid) ? queryRootOf(sopClassUid) : null;
    if (!root) throw new ArchiveError('BAD_REQUEST', `SOP class ${sopClassUid} is not served here`);
    return root;
  }

  /** Identifiers are answered in the transfer syntax of the request's presentation context. */
  private responseTransferSyntax(request: CFindRequest | CMoveRequest | CGetRequest): string {
    return this.negotiated?.getAcceptedPresentationContextFromRequest(request)?.getAcceptedTransferSyntaxUid() ?? '1.2.840.10008.1.2';
  }

  private begin(messageId: number): { cancelled: boolean } {
    const operation = { cancelled: false };
    this.operations.set(messageId, operation);
    return operation;
  }

  private end(messageId: number): void {
    this.operations.delete(messageId);
  }

  /**
   * Between two responses: wait for the socket to drain (a slow reader must
   * not make us buffer a whole result set), and let incoming PDUs — a
   * C-CANCEL — be read.
   */
  private async letIncomingPdusIn(): Promise<void> {
    if (this.connection.writableNeedDrain) await Promise.race([once(this.connection, 'drain'), once(this.connection, 'close')]);
    else await new Promise((resolve) => setImmediate(resolve));
  }

  private async audit(event: Omit<DimseAuditEvent, 'callingAet' | 'remoteAddress'>): Promise<void> {
    try {
      await this.context.options.audit({ ...event, callingAet: this.callingAet, remoteAddress: this.remoteAddress });
    } catch (error) {
      this.context.logger.error('DIMSE audit failed', { error: String(error), action: event.action });
    }
  }
}

/** PS3.7 9.1.1.1: the command names the SOP instance; the dataset must be that instance. */
function singleStudy(identifier: Record<string, unknown>): { studyUid?: string } {
  const value = identifier.StudyInstanceUID;
  return typeof value === 'string' && value && !value.includes('\\') ? { studyUid: value } : {};
}

function studiesOf(instances: readonly StoredInstanceRef[]): { studyUid?: string; patientId?: string; facilityId?: string; resource?: string } {
  const studies = [...new Set(instances.map((instance) => instance.studyInstanceUid))];
  if (studies.length !== 1) return studies.length ? { resource: `studies:${studies.join(',')}`.slice(0, 1000) } : {};
  return { studyUid: studies[0], patientId: instances[0].patientId, facilityId: instances[0].facilityId };
}
