// The C-STORE SCU (PS3.4 B.2): sends stored studies or series to a peer AE.
// Used by C-MOVE (to the move destination), by archive.sendTo() and by later
// federation work. Access is the caller's decision: these functions send what
// they are given.
import net from 'node:net';
import { Scp, association as dimse, configureDcmjsDimse, type Association } from './dcmjs-dimse';
import type { AccessScope } from '../access';
import type { Archive } from '../archive';
import type { Logger } from '../logger';
import { EXPLICIT_LE, IMPLICIT_LE } from './constants';
import { instancesOf, type StoredInstanceRef } from './retrieve';
import { sendInstancesOverAssociation, type SendOptions, type SubOperationCounts } from './store-sender';
import { connectTls, type DicomTlsCredentials } from './tls';

export interface DicomPeerAddress {
  aet: string;
  host: string;
  port: number;
  /** DICOM TLS (PS3.15 B.10): connect over TLS, present our certificate, verify theirs against our CA */
  tls?: boolean;
}

export interface SendResult extends SubOperationCounts {
  total: number;
  cancelled: boolean;
}

export interface SendInstancesOptions extends Pick<SendOptions, 'onProgress' | 'isCancelled' | 'moveOriginator'> {
  /** Our AE title as the calling AE of the association */
  callingAet: string;
  logger?: Logger;
}

/** PS3.8 9.3.2.2: presentation context IDs are odd numbers 1-255, so at most 128 per association. */
const MAX_PRESENTATION_CONTEXTS = 128;

/** dcmjs-dimse's Network is exported only as Scp; this one initiates instead of accepting. */
class AssociationInitiator extends Scp {
  // An A-ABORT from the peer is seen through the 'abort' event; nothing to answer
  override abort(): void {}
}

interface ContextSpec {
  sopClassUid: string;
  transferSyntaxUids: string[];
}

/**
 * The presentation contexts for some instances: per SOP class one with the
 * uncompressed little endian syntaxes (what every SCP accepts, PS3.5 10.1),
 * and one per other stored syntax, so the peer can accept the instance as
 * stored and we send it unchanged.
 */
function contextsFor(instances: readonly StoredInstanceRef[]): ContextSpec[] {
  const specs = new Map<string, ContextSpec>();
  for (const instance of instances) {
    const le = `${instance.sopClassUid}|le`;
    if (!specs.has(le)) specs.set(le, { sopClassUid: instance.sopClassUid, transferSyntaxUids: [EXPLICIT_LE, IMPLICIT_LE] });
    if (instance.transferSyntaxUid !== EXPLICIT_LE && instance.transferSyntaxUid !== IMPLICIT_LE) {
      const own = `${instance.sopClassUid}|${instance.transferSyntaxUid}`;
      if (!specs.has(own)) specs.set(own, { sopClassUid: instance.sopClassUid, transferSyntaxUids: [instance.transferSyntaxUid] });
    }
  }
  return [...specs.values()];
}

/** Splits instances into batches whose presentation contexts fit one association. */
function batches(instances: readonly StoredInstanceRef[]): StoredInstanceRef[][] {
  const out: StoredInstanceRef[][] = [];
  let current: StoredInstanceRef[] = [];
  for (const instance of instances) {
    if (contextsFor([...current, instance]).length > MAX_PRESENTATION_CONTEXTS) {
      out.push(current);
      current = [];
    }
    current.push(instance);
  }
  if (current.length) out.push(current);
  return out;
}

export async function sendInstances(archive: Archive, peer: DicomPeerAddress, instances: readonly StoredInstanceRef[], options: SendInstancesOptions): Promise<SendResult> {
  configureDcmjsDimse();
  const logger = options.logger ?? archive.logger;
  const counts: SubOperationCounts = { remaining: instances.length, completed: 0, failed: 0, warning: 0, failedSopInstanceUids: [] };
  let cancelled = false;
  for (const batch of instances.length ? batches(instances) : []) {
    if (options.isCancelled?.()) {
      cancelled = true;
      break;
    }
    let connection: OpenAssociation | undefined;
    try {
      connection = await openAssociation(peer, options.callingAet, contextsFor(batch), archive.dicomTls);
      const open = connection;
      const result = await sendInstancesOverAssociation(
        open.network,
        open.association,
        batch,
        {
          loadFile: (instance) => archive.store.get(instance.blobKey),
          logger,
          onProgress: options.onProgress,
          isCancelled: options.isCancelled,
          isConnectionLost: () => open.closed,
          moveOriginator: options.moveOriginator,
        },
        counts,
      );
      cancelled = result.cancelled;
    } catch (error) {
      // The association could not be opened: every instance of the batch failed
      logger.warn('could not send to a DICOM peer', { peer: peer.aet, host: peer.host, port: peer.port, error: String(error) });
      for (const instance of batch) counts.failedSopInstanceUids.push(instance.sopInstanceUid);
      counts.failed += batch.length;
      counts.remaining -= batch.length;
      await options.onProgress?.(counts);
    } finally {
      await connection?.release();
    }
    if (cancelled) break;
  }
  return { ...counts, total: instances.length, cancelled };
}

/**
 * Sends every stored instance of the studies: of each, the copy `options.scope`
 * shows (each facility holds its own copy; default: the oldest).
 */
export async function sendStudy(
  archive: Archive,
  peer: DicomPeerAddress,
  studyUids: string | readonly string[],
  options: SendInstancesOptions & { scope?: AccessScope },
): Promise<SendResult> {
  const instances = await instancesOf(archive.db, { studyUids: typeof studyUids === 'string' ? [studyUids] : studyUids }, options.scope);
  return sendInstances(archive, peer, instances, options);
}

/** Sends every stored instance of the series. */
export async function sendSeries(
  archive: Archive,
  peer: DicomPeerAddress,
  seriesUids: string | readonly string[],
  options: SendInstancesOptions & { scope?: AccessScope },
): Promise<SendResult> {
  const instances = await instancesOf(archive.db, { seriesUids: typeof seriesUids === 'string' ? [seriesUids] : seriesUids }, options.scope);
  return sendInstances(archive, peer, instances, options);
}

interface OpenAssociation {
  network: AssociationInitiator;
  association: Association;
  readonly closed: boolean;
  release(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;
const RELEASE_TIMEOUT_MS = 10_000;

/** Connects and negotiates (PS3.8 7.1); rejects with the peer's reason when refused. */
function openAssociation(peer: DicomPeerAddress, callingAet: string, contexts: readonly ContextSpec[], tls: DicomTlsCredentials | undefined): Promise<OpenAssociation> {
  return new Promise((resolve, reject) => {
    // A TLS peer is never sent to in the clear, even when TLS is not configured here
    if (peer.tls && !tls) return reject(new Error('the peer requires DICOM TLS, which is not configured on this server (DICOM_TLS_PORT)'));
    // dcmjs-dimse's Network sends the A-ASSOCIATE-RQ on 'connect'; a TLSSocket holds it until the handshake is done
    const socket = peer.tls && tls ? connectTls(peer, tls) : net.connect({ host: peer.host, port: peer.port });
    socket.setNoDelay(true); // one C-STORE per round trip: Nagle would add ~40 ms each
    const network = new AssociationInitiator(socket, { connectTimeout: CONNECT_TIMEOUT_MS, associationTimeout: CONNECT_TIMEOUT_MS, pduTimeout: 10 * 60_000 });
    const association = new dimse.Association(callingAet, peer.aet);
    for (const context of contexts) {
      const id = association.addPresentationContext(context.sopClassUid);
      for (const uid of context.transferSyntaxUids) association.addTransferSyntaxToPresentationContext(id, uid);
    }
    let settled = false;
    let closed = false;
    const fail = (error: Error) => {
      if (!settled) {
        settled = true;
        socket.destroy();
        reject(error);
      }
    };
    socket.once('close', () => {
      closed = true;
      fail(new Error('connection closed before the association was accepted'));
    });
    network.on('networkError', (error: Error) => {
      socket.destroy();
      fail(error);
    });
    network.on('connect', () => network.sendAssociationRequest(association));
    network.on('associationRejected', (reject: { result: number; source: number; reason: number }) => {
      fail(new Error(`association rejected (result ${reject.result}, source ${reject.source}, reason ${reject.reason})`));
    });
    network.on('associationAccepted', () => {
      settled = true;
      resolve({
        network,
        association,
        get closed() {
          return closed;
        },
        release: () =>
          new Promise<void>((done) => {
            if (closed) return done();
            const timer = setTimeout(() => socket.destroy(), RELEASE_TIMEOUT_MS);
            socket.once('close', () => {
              clearTimeout(timer);
              done();
            });
            network.once('associationReleaseResponse', () => socket.end());
            network.sendAssociationReleaseRequest();
          }),
      });
    });
  });
}
