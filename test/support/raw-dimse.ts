// DICOM Upper Layer PDUs written byte by byte (PS3.8 9.3), for what no real
// client sends on purpose: a dataset DCMTK refuses to read (it would never
// put it on the wire), and the mutated PDUs of the fuzz test. Real clients
// (DCMTK) stay the way to test that the normal paths interoperate. Also for
// tests that must misbehave in ways no real tool does: stop half-way through
// an A-ASSOCIATE-RQ, open a connection and say nothing, or hold an
// association open and silent (openRawConnection).
import net, { type Socket } from 'node:net';
import { once } from 'node:events';
import { PduFramer } from '../../pacs-core/dimse/pdu-framer';

const APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';
export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const IMPLICIT_LE = '1.2.840.10008.1.2';
export const VERIFICATION = '1.2.840.10008.1.1';

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}
function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value >>> 0);
  return buffer;
}
/** A sub-item: type, reserved, 16-bit length, value (PS3.8 9.3.2.x). */
function subItem(type: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 0]), u16(value.length), value]);
}
function aeTitle(title: string): Buffer {
  return Buffer.from(title.padEnd(16, ' ').slice(0, 16), 'latin1');
}
function pdu(type: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([type, 0]), u32(body.length), body]);
}

export interface PresentationContextProposal {
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

/** A-ASSOCIATE-RQ (PS3.8 9.3.2). */
export function associateRq(options: { callingAet: string; calledAet: string; contexts: PresentationContextProposal[]; maxPduLength?: number }): Buffer {
  const contexts = options.contexts.map((context) =>
    subItem(
      0x20,
      Buffer.concat([
        Buffer.from([context.id, 0, 0, 0]),
        subItem(0x30, Buffer.from(context.abstractSyntax, 'latin1')),
        ...context.transferSyntaxes.map((ts) => subItem(0x40, Buffer.from(ts, 'latin1'))),
      ]),
    ),
  );
  const userInformation = subItem(
    0x50,
    Buffer.concat([subItem(0x51, u32(options.maxPduLength ?? 16384)), subItem(0x52, Buffer.from('1.2.3.4.5.6.7', 'latin1'))]),
  );
  const body = Buffer.concat([
    u16(1), // protocol version
    u16(0),
    aeTitle(options.calledAet),
    aeTitle(options.callingAet),
    Buffer.alloc(32),
    subItem(0x10, Buffer.from(APPLICATION_CONTEXT, 'latin1')),
    ...contexts,
    userInformation,
  ]);
  return pdu(0x01, body);
}

/** P-DATA-TF with one PDV (PS3.8 9.3.5, E.2): the control header says command/dataset and last fragment. */
export function pDataTf(presentationContextId: number, data: Buffer, options: { command: boolean; last: boolean }): Buffer {
  const control = (options.command ? 1 : 0) | (options.last ? 2 : 0);
  const pdv = Buffer.concat([u32(data.length + 2), Buffer.from([presentationContextId, control]), data]);
  return pdu(0x04, pdv);
}

export const releaseRq = (): Buffer => pdu(0x05, Buffer.alloc(4));

/** An element of a command set: implicit VR little endian (PS3.7 6.3.1). */
function commandElement(element: number, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(0x0000, 0);
  header.writeUInt16LE(element, 2);
  header.writeUInt32LE(value.length, 4);
  return Buffer.concat([header, value]);
}
function uidValue(uid: string): Buffer {
  return Buffer.from(uid.length % 2 ? `${uid}\0` : uid, 'latin1');
}
function us(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value);
  return buffer;
}

/** A command set with its group length (0000,0000) first. */
function commandSet(elements: Buffer[]): Buffer {
  const body = Buffer.concat(elements);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(body.length);
  return Buffer.concat([commandElement(0x0000, length), body]);
}

/** C-STORE-RQ (PS3.7 9.3.1.1). */
export function cStoreRq(messageId: number, sopClassUid: string, sopInstanceUid: string): Buffer {
  return commandSet([
    commandElement(0x0002, uidValue(sopClassUid)),
    commandElement(0x0100, us(0x0001)),
    commandElement(0x0110, us(messageId)),
    commandElement(0x0700, us(0x0000)),
    commandElement(0x0800, us(0x0000)), // a dataset follows
    commandElement(0x1000, uidValue(sopInstanceUid)),
  ]);
}

/** C-ECHO-RQ (PS3.7 9.3.5.1). */
export function cEchoRq(messageId: number): Buffer {
  return commandSet([
    commandElement(0x0002, uidValue(VERIFICATION)),
    commandElement(0x0100, us(0x0030)),
    commandElement(0x0110, us(messageId)),
    commandElement(0x0800, us(0x0101)), // no dataset
  ]);
}

/** The elements of a command set we read back: Status (0000,0900) and Error Comment (0000,0902). */
export function readCommand(bytes: Buffer): { status?: number; errorComment?: string } {
  const result: { status?: number; errorComment?: string } = {};
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const element = bytes.readUInt16LE(offset + 2);
    const length = bytes.readUInt32LE(offset + 4);
    const value = bytes.subarray(offset + 8, offset + 8 + length);
    if (element === 0x0900) result.status = value.readUInt16LE(0);
    if (element === 0x0902) result.errorComment = value.toString('latin1').replace(/[\0 ]+$/, '');
    offset += 8 + length;
  }
  return result;
}

/** One TCP connection speaking raw PDUs: write bytes, read whole PDUs back as they come. */
export class RawDimseConnection {
  private readonly pdus: Buffer[] = [];
  private waiting: (() => void) | undefined;
  closed = false;

  private constructor(readonly socket: net.Socket) {
    const framer = new PduFramer(64 * 1024 * 1024, (received) => {
      this.pdus.push(Buffer.from(received));
      this.waiting?.();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        framer.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
  }

  static async open(port: number, host = '127.0.0.1'): Promise<RawDimseConnection> {
    const socket = net.connect({ port, host });
    socket.setNoDelay(true);
    await once(socket, 'connect');
    return new RawDimseConnection(socket);
  }

  write(bytes: Buffer): void {
    if (!this.closed) this.socket.write(bytes);
  }

  /** The next PDU the peer sends, or undefined once the connection closes or `timeoutMs` passes. */
  async nextPdu(timeoutMs: number): Promise<Buffer | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.pdus.length === 0 && !this.closed && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiting = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiting = undefined;
    }
    return this.pdus.shift();
  }

  /** Waits until the peer closes the connection (true), or gives up after `timeoutMs` (false). */
  async closedWithin(timeoutMs: number): Promise<boolean> {
    while (!this.closed) if ((await this.nextPdu(timeoutMs)) === undefined) break;
    return this.closed;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** The command set carried by a P-DATA-TF PDU's PDVs (undefined if it carries none). */
export function commandOf(pdu: Buffer): Buffer | undefined {
  if (pdu[0] !== 0x04) return undefined;
  const parts: Buffer[] = [];
  let offset = 6;
  while (offset + 6 <= pdu.length) {
    const length = pdu.readUInt32BE(offset);
    if ((pdu[offset + 5] & 1) === 1) parts.push(pdu.subarray(offset + 6, offset + 4 + length));
    offset += 4 + length;
  }
  return parts.length ? Buffer.concat(parts) : undefined;
}

/**
 * Associates, sends one C-STORE of `dataset` (the bytes after the File Meta,
 * in `transferSyntax`) and returns the C-STORE-RSP's status and comment.
 */
export async function rawCStore(
  port: number,
  options: {
    callingAet: string;
    calledAet: string;
    sopClassUid: string;
    sopInstanceUid: string;
    dataset: Buffer;
    transferSyntax?: string;
    /** The dataset is cut into PDUs of this many bytes (default: one PDU) */
    bytesPerPdu?: number;
  },
): Promise<{ status?: number; errorComment?: string }> {
  const connection = await RawDimseConnection.open(port);
  try {
    const transferSyntax = options.transferSyntax ?? EXPLICIT_LE;
    connection.write(associateRq({ ...options, contexts: [{ id: 1, abstractSyntax: options.sopClassUid, transferSyntaxes: [transferSyntax] }] }));
    const accept = await connection.nextPdu(10_000);
    if (accept?.[0] !== 0x02) throw new Error(`association not accepted (PDU type ${accept?.[0]})`);
    connection.write(pDataTf(1, cStoreRq(1, options.sopClassUid, options.sopInstanceUid), { command: true, last: true }));
    const { dataset } = options;
    const step = Math.max(1, options.bytesPerPdu ?? dataset.length);
    let at = 0;
    do {
      connection.write(pDataTf(1, dataset.subarray(at, at + step), { command: false, last: at + step >= dataset.length }));
      at += step;
    } while (at < dataset.length);
    for (;;) {
      const answer = await connection.nextPdu(30_000);
      if (!answer) throw new Error('no C-STORE-RSP');
      const command = commandOf(answer);
      if (command) {
        // A-RELEASE-RQ, then the A-RELEASE-RP (PS3.8 7.2): the requestor closes the connection
        connection.write(releaseRq());
        let reply = await connection.nextPdu(5_000);
        while (reply && reply[0] !== 0x06) reply = await connection.nextPdu(5_000);
        return readCommand(command);
      }
    }
  } finally {
    connection.destroy();
  }
}

/** A-ASSOCIATE-RQ proposing Verification in implicit VR little endian. */
export function associateRequestPdu(options: { calledAet: string; callingAet: string }): Buffer {
  return associateRq({ ...options, contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] });
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
export function openRawConnection(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    // localAddress: another loopback address (127.0.0.7) stands for another machine
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
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
