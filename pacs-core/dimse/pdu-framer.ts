// Cuts the TCP byte stream of an association into whole PDUs (PS3.8 9.3:
// type, reserved, 32-bit big-endian length, then the PDU body).
//
// Replaces dcmjs-dimse's accumulator, which Buffer.concat()s everything
// received so far with every socket chunk: quadratic in the PDU size, so it
// forced small PDUs. Here a PDU that lies inside one chunk is handed on as a
// view of it (no copy), and one that spans chunks is copied once into a
// buffer of its exact size. A length above `maxPduLength` is refused before
// anything is allocated for it: a peer cannot make us reserve 4 GB.

const HEADER_LENGTH = 6;
/** PS3.8 9.3.1: the PDU types an association can carry */
const KNOWN_TYPES = new Set([0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07]);

export class PduFramingError extends Error {}

export class PduFramer {
  /** Bytes of a header not yet complete (a chunk may end inside it) */
  private header = Buffer.alloc(0);
  private pdu: Buffer | undefined;
  private filled = 0;

  constructor(
    private readonly maxPduLength: number,
    private readonly onPdu: (pdu: Buffer) => void,
  ) {}

  /** Feeds one socket chunk; calls onPdu for every PDU it completes. Throws PduFramingError on a bad header. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.pdu) {
        const take = Math.min(this.pdu.length - this.filled, chunk.length - offset);
        chunk.copy(this.pdu, this.filled, offset, offset + take);
        this.filled += take;
        offset += take;
        if (this.filled === this.pdu.length) {
          const pdu = this.pdu;
          this.pdu = undefined;
          this.onPdu(pdu);
        }
        continue;
      }
      if (this.header.length > 0 || chunk.length - offset < HEADER_LENGTH) {
        const need = HEADER_LENGTH - this.header.length;
        const piece = chunk.subarray(offset, offset + need);
        this.header = Buffer.concat([this.header, piece]);
        offset += piece.length;
        if (this.header.length < HEADER_LENGTH) return;
        const total = this.totalLength(this.header, 0);
        this.pdu = Buffer.allocUnsafe(total);
        this.header.copy(this.pdu, 0);
        this.filled = HEADER_LENGTH;
        this.header = Buffer.alloc(0);
        if (this.filled === total) {
          const pdu = this.pdu;
          this.pdu = undefined;
          this.onPdu(pdu);
        }
        continue;
      }
      const total = this.totalLength(chunk, offset);
      if (chunk.length - offset >= total) {
        this.onPdu(chunk.subarray(offset, offset + total));
        offset += total;
      } else {
        this.pdu = Buffer.allocUnsafe(total);
        this.filled = chunk.copy(this.pdu, 0, offset);
        offset = chunk.length;
      }
    }
  }

  private totalLength(buffer: Buffer, offset: number): number {
    const type = buffer[offset];
    if (!KNOWN_TYPES.has(type)) throw new PduFramingError(`unknown PDU type 0x${type.toString(16).padStart(2, '0')}`);
    const length = buffer.readUInt32BE(offset + 2);
    if (length > this.maxPduLength) {
      throw new PduFramingError(`PDU of ${length} bytes is larger than the ${this.maxPduLength} bytes accepted`);
    }
    return HEADER_LENGTH + length;
  }
}
