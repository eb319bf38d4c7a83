// Query/Retrieve (PS3.4 C) for one association: C-FIND (C.4.1), C-MOVE
// (C.4.2) and C-GET (C.4.3). Matching lives in find.ts and retrieve.ts,
// sending in store-sender.ts/scu.ts; this file answers and audits. The
// association (scp.ts) hands over what it knows as a QueryRetrieveSession.
import { once } from 'node:events';
import type { Socket } from 'node:net';
import type { requests as RequestTypes } from 'dcmjs-dimse';
import { Dataset, requests, responses, type Association, type Scp } from './dcmjs-dimse';
import { ArchiveError, toDimseStatus } from '../errors';
import { QR_MODEL, STATUS, queryRootOf, type QueryRoot } from './constants';
import { planFind } from './find';
import { resolveRetrieve, type StoredInstanceRef } from './retrieve';
import { sendInstances } from './scu';
import { sendInstancesOverAssociation, type SubOperationCounts } from './store-sender';
import type { ScpContext } from './scp';
import type { AssociationGrant, DimseAuditEvent } from './types';

const { CFindResponse, CGetResponse, CMoveResponse } = responses;
type CFindRequest = RequestTypes.CFindRequest;
type CMoveRequest = RequestTypes.CMoveRequest;
type CGetRequest = RequestTypes.CGetRequest;
type RetrieveResponse = InstanceType<typeof CMoveResponse> | InstanceType<typeof CGetResponse>;

/** What the association lends to its Query/Retrieve operations. */
export interface QueryRetrieveSession {
  readonly context: ScpContext;
  readonly callingAet: string;
  readonly grant: AssociationGrant | undefined;
  readonly association: Association | undefined;
  /** The connection has closed: answer nothing more */
  readonly closed: boolean;
  /** The association's network (dcmjs-dimse): responses, and C-GET's C-STORE sub-operations */
  readonly network: Scp;
  /** Registers a running operation under its message ID, for C-CANCEL (PS3.7 9.3.2.3) */
  beginOperation(messageId: number): { cancelled: boolean };
  endOperation(messageId: number): void;
  /** Waits between two responses: the socket drained, incoming PDUs (a C-CANCEL) read */
  letIncomingPdusIn(): Promise<void>;
  audit(event: Omit<DimseAuditEvent, 'callingAet' | 'remoteAddress'>): Promise<void>;
}

export class QueryRetrieveService {
  constructor(private readonly session: QueryRetrieveSession) {}

  async find(request: CFindRequest): Promise<void> {
    const operation = this.session.beginOperation(request.getMessageId());
    const identifier = request.getDataset()?.getElements() ?? {};
    const answer = findResponder(this.session, request);
    let matches = 0;
    let level: string | undefined;
    try {
      const root = this.rootOf(request, [QR_MODEL.PATIENT_ROOT_FIND, QR_MODEL.STUDY_ROOT_FIND]);
      const plan = planFind(this.session.context.archive.db, root, identifier, this.scope(), this.session.context.options.aet);
      level = plan.level;
      for await (const match of plan.matches) {
        if (operation.cancelled) break;
        answer(STATUS.PENDING, match);
        matches += 1;
        await this.session.letIncomingPdusIn();
      }
      // Recorded before the final answer: a requester that has its answer finds the access in the audit trail
      const cancelled = operation.cancelled;
      await this.session.audit({
        action: 'dimse.c-find',
        outcome: 'SUCCESS',
        ...singleStudy(identifier),
        details: { level, matches, cancelled, keys: Object.keys(identifier).filter((key) => !key.startsWith('_')) },
      });
      if (!this.session.closed) answer(cancelled ? STATUS.CANCEL : STATUS.SUCCESS);
    } catch (error) {
      const failure = toDimseStatus(error, 'find');
      this.session.context.logger.warn('C-FIND failed', { callingAet: this.session.callingAet, error: error instanceof Error ? error.message : String(error) });
      await this.session.audit({ action: 'dimse.c-find', outcome: 'FAILURE', ...singleStudy(identifier), details: { level, error: failure.errorComment } });
      if (!this.session.closed) answer(failure.status, undefined, failure.errorComment);
    } finally {
      this.session.endOperation(request.getMessageId());
    }
  }

  async retrieve(kind: 'move' | 'get', request: CMoveRequest | CGetRequest): Promise<void> {
    const messageId = request.getMessageId();
    const operation = this.session.beginOperation(messageId);
    const identifier = request.getDataset()?.getElements() ?? {};
    const transferSyntaxUid = responseTransferSyntax(this.session, request);
    const action = kind === 'move' ? 'dimse.c-move' : 'dimse.c-get';
    const answer = (status: number, counts: SubOperationCounts | undefined, options: { errorComment?: string; final?: boolean } = {}) => {
      if (this.session.closed) return;
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
      this.session.network.sendResponse(request, response);
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
        peer = destination && this.session.grant ? await this.session.context.options.resolvePeer(destination, this.session.grant) : null;
        if (!peer) {
          this.session.context.logger.warn('C-MOVE refused: move destination unknown', { callingAet: this.session.callingAet, destination });
          await this.session.audit({ action, outcome: 'FAILURE', ...singleStudy(identifier), details: { destination, error: 'move destination unknown' } });
          answer(STATUS.MOVE_DESTINATION_UNKNOWN, undefined, { errorComment: `move destination ${destination ?? ''} unknown`.slice(0, 64) });
          return;
        }
      }
      const resolved = await resolveRetrieve(this.session.context.archive.db, root, identifier, this.scope());
      instances = resolved.instances;
      const onProgress = (counts: SubOperationCounts) => {
        if (counts.remaining > 0) answer(STATUS.PENDING, counts);
      };
      const isCancelled = () => operation.cancelled || this.session.closed;
      const result = peer
        ? await sendInstances(this.session.context.archive, peer, instances, {
            callingAet: this.session.context.options.aet,
            logger: this.session.context.logger,
            onProgress,
            isCancelled,
            moveOriginator: { aeTitle: this.session.callingAet, messageId },
          })
        : await this.getOnThisAssociation(instances, onProgress, isCancelled);
      const status = result.cancelled
        ? STATUS.CANCEL
        : result.failed > 0 && result.completed + result.warning === 0
          ? STATUS.SUB_OPERATIONS_REFUSED
          : result.failed > 0 || result.warning > 0
            ? STATUS.SUB_OPERATIONS_WITH_FAILURES
            : STATUS.SUCCESS;
      await this.session.audit({
        action,
        outcome: status === STATUS.SUCCESS ? 'SUCCESS' : 'FAILURE',
        ...studiesOf(instances),
        details: { level: resolved.level, destination, completed: result.completed, failed: result.failed, warning: result.warning, cancelled: result.cancelled },
      });
      answer(status, result, { final: true, ...(status === STATUS.SUB_OPERATIONS_REFUSED ? { errorComment: 'no sub-operation succeeded' } : {}) });
    } catch (error) {
      const failure = toDimseStatus(error, 'retrieve');
      this.session.context.logger.warn(`C-${kind.toUpperCase()} failed`, { callingAet: this.session.callingAet, error: error instanceof Error ? error.message : String(error) });
      await this.session.audit({ action, outcome: 'FAILURE', ...singleStudy(identifier), details: { destination, error: failure.errorComment } });
      answer(failure.status, undefined, { errorComment: failure.errorComment });
    } finally {
      this.session.endOperation(messageId);
    }
  }

  /** PS3.4 C.4.3.3: C-GET's C-STORE sub-operations go over the C-GET's own association. */
  private async getOnThisAssociation(instances: StoredInstanceRef[], onProgress: (counts: SubOperationCounts) => void, isCancelled: () => boolean) {
    const association = this.session.association;
    if (!association) throw new ArchiveError('INTERNAL', 'C-GET outside a negotiated association');
    const result = await sendInstancesOverAssociation(this.session.network, association, instances, {
      loadFile: (instance) => this.session.context.archive.store.get(instance.blobKey),
      logger: this.session.context.logger,
      onProgress,
      isCancelled,
      isConnectionLost: () => this.session.closed,
    });
    return { ...result, total: instances.length };
  }

  private scope() {
    if (!this.session.grant) throw new ArchiveError('INTERNAL', 'no association');
    return this.session.grant.readScope;
  }

  private rootOf(request: { getAffectedSopClassUid(): string }, allowed: readonly string[]): QueryRoot {
    const sopClassUid = request.getAffectedSopClassUid();
    const root = allowed.includes(sopClassUid) ? queryRootOf(sopClassUid) : null;
    if (!root) throw new ArchiveError('BAD_REQUEST', `SOP class ${sopClassUid} is not served here`);
    return root;
  }
}

/** Identifiers are answered in the transfer syntax of the request's presentation context. */
function responseTransferSyntax(session: QueryRetrieveSession, request: CFindRequest | CMoveRequest | CGetRequest): string {
  return session.association?.getAcceptedPresentationContextFromRequest(request)?.getAcceptedTransferSyntaxUid() ?? '1.2.840.10008.1.2';
}

/** Sends one C-FIND response to `request` (Query/Retrieve and the Modality Worklist alike). */
export function findResponder(session: QueryRetrieveSession, request: CFindRequest): (status: number, dataset?: Record<string, unknown>, errorComment?: string) => void {
  const transferSyntaxUid = responseTransferSyntax(session, request);
  return (status, dataset, errorComment) => {
    const response = CFindResponse.fromRequest(request);
    response.setAffectedSopClassUid(request.getAffectedSopClassUid());
    response.setStatus(status);
    if (errorComment) response.setErrorComment(errorComment);
    if (dataset) response.setDataset(new Dataset(dataset, transferSyntaxUid));
    session.network.sendResponse(request, response);
  };
}

/**
 * Between two responses: wait for the socket to drain (a slow reader must
 * not make us buffer a whole result set), and let incoming PDUs — a
 * C-CANCEL — be read.
 */
export async function letIncomingPdusIn(connection: Socket): Promise<void> {
  if (connection.writableNeedDrain) await Promise.race([once(connection, 'drain'), once(connection, 'close')]);
  else await new Promise((resolve) => setImmediate(resolve));
}

/** The one study an identifier names (for the audit row), if it names exactly one. */
function singleStudy(identifier: Record<string, unknown>): { studyUid?: string } {
  const value = identifier.StudyInstanceUID;
  return typeof value === 'string' && value && !value.includes('\\') ? { studyUid: value } : {};
}

function studiesOf(instances: readonly StoredInstanceRef[]): { studyUid?: string; patientId?: string; facilityId?: string; resource?: string } {
  const studies = [...new Set(instances.map((instance) => instance.studyInstanceUid))];
  if (studies.length !== 1) return studies.length ? { resource: `studies:${studies.join(',')}`.slice(0, 1000) } : {};
  return { studyUid: studies[0], patientId: instances[0].patientId, facilityId: instances[0].facilityId };
}
