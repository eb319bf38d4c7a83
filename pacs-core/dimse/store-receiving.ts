// A C-STORE dataset on its way in (PS3.4 B): dcmjs-dimse writes its PDVs to
// the Writable our SCP gives it (Part10Collector) and hands the finished
// stream back to be made a Dataset (ReceivedFile), which the C-STORE handler
// (scp.ts) ingests.
import { Writable } from 'node:stream';
import { Dataset } from './dcmjs-dimse';
import { InstanceReceiver, type ReceivedInstance } from '../instance-receiver';
import type { IncomingBlob } from '../store/blob-store';

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
export class ReceivedFile extends Dataset {
  constructor(
    readonly received: ReceivedInstance,
    readonly presentationContextId: number,
    transferSyntaxUid: string,
  ) {
    super({}, transferSyntaxUid);
  }
}
