// C-STORE sub-operations over an established association: the SCU sends
// (sendStudy, C-MOVE) and C-GET (PS3.4 C.4.3: sub-operations on the C-GET's
// own association) share this. Instances go one at a time, read from the
// store just before they are sent, so a large study never sits in memory.
//
// When the receiver accepted the instance's stored transfer syntax, the
// stored dataset bytes are sent unchanged (no decode, no re-encode: what was
// received is what is forwarded). Otherwise dcmjs-dimse transcodes a decoded
// copy to the accepted syntax (dcmjs-codecs for compressed ones).
import dcmjs from 'dcmjs';
import { Dataset, Transcoding, constants, requests, type Association, type PresentationContext, type Scp } from './dcmjs-dimse';
import type { Logger } from '../logger';
import { NATIVE_TRANSFER_SYNTAXES, STATUS, EXPLICIT_LE } from './constants';
import { datasetOffset } from './part10-header';
import type { StoredInstanceRef } from './retrieve';

const { CStoreRequest } = requests;
/** dcmjs-dimse exports its Network class only through Scp (which extends it). */
type Network = Scp;
const DEFLATED_LE = '1.2.840.10008.1.2.1.99';

export interface SubOperationCounts {
  remaining: number;
  completed: number;
  failed: number;
  warning: number;
  /** PS3.4 C.4.2.1.5: listed in the final response's identifier (0008,0058) */
  failedSopInstanceUids: string[];
}

export interface SendOptions {
  loadFile(instance: StoredInstanceRef): Promise<Buffer>;
  logger: Logger;
  /** After each sub-operation (C-MOVE/C-GET pending responses) */
  onProgress?(counts: SubOperationCounts): void | Promise<void>;
  /** Checked before each sub-operation (C-CANCEL) */
  isCancelled?(): boolean;
  /** The association is gone (peer closed or aborted): the rest can only fail */
  isConnectionLost(): boolean;
  /** PS3.7 9.1.1.1: C-STORE sub-operations of a C-MOVE name the move's originator */
  moveOriginator?: { aeTitle: string; messageId: number };
}

/** A stored dataset sent as it is: dcmjs-dimse writes what getDenaturalizedDataset returns. */
class StoredDataset extends Dataset {
  constructor(
    private readonly bytes: Buffer,
    transferSyntaxUid: string,
    sopClassUid: string,
    sopInstanceUid: string,
  ) {
    // CStoreRequest reads the command's Affected SOP Class/Instance UIDs from these two
    super({ SOPClassUID: sopClassUid, SOPInstanceUID: sopInstanceUid }, transferSyntaxUid);
  }
  override getDenaturalizedDataset(): Buffer {
    return this.bytes;
  }
}

/** The whole stored file decoded, for dcmjs-dimse to transcode. */
function decodedDataset(file: Buffer, transferSyntaxUid: string): Dataset {
  const message = dcmjs.data.DicomMessage.readFile(file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer, { ignoreErrors: true });
  const elements = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
  delete elements._vrMap;
  // dcmjs inflates a deflated file while reading: the elements are plain explicit VR LE
  return new Dataset(elements, transferSyntaxUid === DEFLATED_LE ? EXPLICIT_LE : transferSyntaxUid);
}

function acceptedContexts(association: Association, sopClassUid: string): PresentationContext[] {
  return association
    .getPresentationContexts()
    .map(({ context }) => context)
    .filter((context) => context.getAbstractSyntaxUid() === sopClassUid && context.getResult() === constants.PresentationContextResult.Accept);
}

let codecsReady: Promise<void> | undefined;
/** dcmjs-codecs (WASM) is loaded only when a compressed syntax must be transcoded. */
function ensureCodecs(): Promise<void> {
  codecsReady ??= Transcoding.initializeAsync();
  return codecsReady;
}

/** PS3.4 C.4.2.1.5 / PS3.7 C: Bxxx statuses are warnings, 0000 success, anything else a failure. */
function outcomeOf(status: number | undefined): 'completed' | 'warning' | 'failed' {
  if (status === STATUS.SUCCESS) return 'completed';
  if (status !== undefined && status >= 0xb000 && status <= 0xbfff) return 'warning';
  return 'failed';
}

const RELEASED = new Dataset({});

/**
 * Sends one C-STORE-RQ and waits for its response. Undefined: no response
 * (the association closed, or dcmjs-dimse could not transcode and skipped it).
 */
function storeOne(network: Network, request: InstanceType<typeof CStoreRequest>): Promise<number | undefined> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const finish = () => {
      network.removeListener('close', finish);
      // dcmjs-dimse keeps every sent request in a list: drop the dataset so a
      // long C-GET or C-MOVE does not keep every image it sent in memory
      request.setDataset(RELEASED);
      resolve(status);
    };
    request.on('response', (response: { getStatus(): number }) => {
      status = response.getStatus();
    });
    request.on('done', finish);
    network.once('close', finish);
    network.sendRequests(request);
  });
}

export async function sendInstancesOverAssociation(
  network: Network,
  association: Association,
  instances: readonly StoredInstanceRef[],
  options: SendOptions,
  counts: SubOperationCounts = { remaining: instances.length, completed: 0, failed: 0, warning: 0, failedSopInstanceUids: [] },
): Promise<SubOperationCounts & { cancelled: boolean }> {
  for (const instance of instances) {
    if (options.isCancelled?.()) return { ...counts, cancelled: true };
    const outcome = options.isConnectionLost() ? 'failed' : await sendOne(network, association, instance, options);
    counts.remaining -= 1;
    counts[outcome] += 1;
    if (outcome === 'failed') counts.failedSopInstanceUids.push(instance.sopInstanceUid);
    await options.onProgress?.(counts);
  }
  return { ...counts, cancelled: false };
}

async function sendOne(network: Network, association: Association, instance: StoredInstanceRef, options: SendOptions): Promise<'completed' | 'warning' | 'failed'> {
  const contexts = acceptedContexts(association, instance.sopClassUid);
  if (!contexts.length) {
    options.logger.warn('no accepted presentation context for a sub-operation', { sopClassUid: instance.sopClassUid, sopInstanceUid: instance.sopInstanceUid });
    return 'failed';
  }
  try {
    const file = await options.loadFile(instance);
    const asStored = contexts.some((context) => context.getAcceptedTransferSyntaxUid() === instance.transferSyntaxUid);
    let dataset: Dataset;
    if (asStored) {
      dataset = new StoredDataset(file.subarray(datasetOffset(file)), instance.transferSyntaxUid, instance.sopClassUid, instance.sopInstanceUid);
    } else {
      const target = contexts[contexts.length - 1].getAcceptedTransferSyntaxUid() ?? EXPLICIT_LE;
      const source = instance.transferSyntaxUid === DEFLATED_LE ? EXPLICIT_LE : instance.transferSyntaxUid;
      if (!NATIVE_TRANSFER_SYNTAXES.includes(source) || !NATIVE_TRANSFER_SYNTAXES.includes(target)) await ensureCodecs();
      dataset = decodedDataset(file, instance.transferSyntaxUid);
    }
    const request = new CStoreRequest(dataset);
    if (options.moveOriginator) {
      const command = request.getCommandDataset().getElements();
      command.MoveOriginatorApplicationEntityTitle = options.moveOriginator.aeTitle;
      command.MoveOriginatorMessageID = options.moveOriginator.messageId;
    }
    const status = await storeOne(network, request);
    if (outcomeOf(status) === 'failed') {
      options.logger.warn('C-STORE sub-operation failed', { sopInstanceUid: instance.sopInstanceUid, status: status?.toString(16) ?? 'no response' });
    }
    return outcomeOf(status);
  } catch (error) {
    options.logger.warn('C-STORE sub-operation could not be sent', { sopInstanceUid: instance.sopInstanceUid, error: String(error) });
    return 'failed';
  }
}
