// DICOM Upper Layer PDUs written by hand, for tests that must misbehave in
// ways no real tool does: stop half-way through an A-ASSOCIATE-RQ, open a
// connection and say nothing, or hold an association open and silent.
import { connect, type Socket } from 'node:net';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

function item(type: number, body: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUInt8(type, 0);
  header.writeUInt16BE(body.length, 2);
  return Buffer.concat([header, body]);
}

const aeField = (aet: string) => Buffer.from(aet.padEnd(16, ' ').slice(0, 16), 'ascii');

/** A-ASSOCIATE-RQ (PS3.8 9.3.2) proposing Verification in implicit VR little endian. */
export function associateRequestPdu(options: { calledAet: string; callingAet: string }): Buffer {
  const presentationContext = item(0x20, Buffer.concat([Buffer.from([1, 0, 0, 0]), item(0x30, Buffer.from(VERIFICATION)), item(0x40, Buffer.from(IMPLICIT_LE))]));
  const maxLength = Buffer.alloc(4);
  maxLength.writeUInt32BE(16384);
  const userInformation = item(0x50, Buffer.concat([item(0x51, maxLength), item(0x52, Buffer.from('1.2.826.0.1.3680043.10.1.1'))]));
  const fixed = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00]), aeField(options.calledAet), aeField(options.callingAet), Buffer.alloc(32)]);
  const body = Buffer.concat([fixed, item(0x10, Buffer.from(APPLICATION_CONTEXT)), presentationContext, userInformation]);
  const header = Buffer.alloc(6);
  header.writeUInt8(0x01, 0);
  header.writeUInt32BE(body.length, 2);
  return Buffer.concat([header, body]);
}

export interface RawConnection {
  socket: Socket;
  /** PDU types received so far (0x02 AC, 0x03 RJ, 0x07 A-ABORT...) */
  readonly pduTypes: number[];
  /** Bytes of each received PDU, in order */
  readonly pdus: Buffer[];
  readonly closed: boolean;
  /** Resolves when the connection is closed (by either side) */
  closedPromise: Promise<void>;
}

/** A TCP connection to a DIMSE port that records the PDUs it receives. */
export function openRawConnection(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let buffered = Buffer.alloc(0);
    let closed = false;
    const pdus: Buffer[] = [];
    const closedPromise = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 6 && buffered.length >= 6 + buffered.readUInt32BE(2)) {
        const length = 6 + buffered.readUInt32BE(2);
        pdus.push(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
      }
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      closed = true;
    });
    socket.once('connect', () =>
      resolve({
        socket,
        pdus,
        get pduTypes() {
          return pdus.map((pdu) => pdu[0]);
        },
        get closed() {
          return closed;
        },
        closedPromise,
      }),
    );
    socket.once('error', reject);
  });
}
