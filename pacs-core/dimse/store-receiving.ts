// A C-STORE dataset on its way in (PS3.4 B): dcmjs-dimse writes its PDVs to
// the Writable our SCP gives it (Part10Collector) and hands the finished
// stream back to be made a Dataset (ReceivedFile), which the C-STORE handler
// (scp.ts) ingests.
import { Writable } from 'node:stream';
import { Dataset } from './dcmjs-dimse';
import { InstanceReceiver, type ReceivedInstance } from '../instance-receiver';
import type { IncomingBlob } from '../store/blob-store';

/** The largest C-STORE dataset accepted unless DICOM_MAX_DATASET_MB says otherwise: STOW-RS's default per instance */
export const DEFAULT_MAX_DATASET_BYTES = 2048 * 1024 * 1024;

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
export class Part10Collector extends Writable {
  private readonly receiver: InstanceReceiver;
  private size = 0;
  /** Set once the dataset outgrew maxBytes: the rest is read off the wire and dropped, the dataset refused */
  private oversize = false;
  /**
   * maxBytes: the largest file accepted (DICOM_MAX_DATASET_MB). Past it,
   * nothing more reaches the disk (a modality, or whoever sits at its address,
   * cannot fill the store with one endless dataset); the PDUs are still read,
   * so that the association can answer 0xA700 and go on.
   */
  constructor(
    header: Buffer,
    incoming: IncomingBlob,
    private readonly maxBytes: number,
  ) {
    super({ highWaterMark: 64 * 1024 * 1024 });
    this.receiver = new InstanceReceiver(incoming, { chunksHandedOver: true });
    this.receiver.write(header);
    this.size = header.length;
  }
  get incoming(): IncomingBlob {
    return this.receiver.incoming;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) this.oversize = true;
    if (!this.oversize) this.receiver.write(chunk);
    callback();
  }
  /** The instance, or why it is refused: over maxBytes (its partial file is still to be discarded) */
  received(): { instance: ReceivedInstance; oversize?: { limitBytes: number } } {
    return { instance: this.receiver.finish(), ...(this.oversize ? { oversize: { limitBytes: this.maxBytes } } : {}) };
  }
}

/** The dataset handed to cStoreRequest: the complete Part 10 file (whole, or streamed to the store's incoming area with its head), and the presentation context it came on. */
export class ReceivedFile extends Dataset {
  constructor(
    readonly received: ReceivedInstance,
    /** Set when the dataset was larger than the archive accepts (answered 0xA700) */
    readonly oversize: { limitBytes: number } | undefined,
    readonly presentationContextId: number,
    transferSyntaxUid: string,
  ) {
    super({}, transferSyntaxUid);
  }
}

/** The finished collector as the dataset dcmjs-dimse hands to cStoreRequest. */
export function receivedFileOf(collector: Part10Collector, presentationContextId: number, transferSyntaxUid: string): ReceivedFile {
  const { instance, oversize } = collector.received();
  return new ReceivedFile(instance, oversize, presentationContextId, transferSyntaxUid);
}
