// MLLP (HL7 v2 Minimal Lower Layer Protocol, HL7 v2.5.1 Appendix C): a message
// travels as <VT> message <FS><CR>. TCP keeps no message boundaries, so a frame
// may arrive in any number of pieces, and one read may hold several frames.
//
// Why our own framer and not @medplum/hl7's: its connection treats a read as
// complete when the read itself ends in <FS><CR>, so two messages in one write
// become one, NUL padding after a frame keeps the frame from ever completing,
// and a split between <FS> and <CR> loses the message: the failures users
// report against Node HL7 libraries. This one scans for the frame's bytes.
export const VT = 0x0b;
export const FS = 0x1c;
export const CR = 0x0d;

/** The largest message accepted by default (a 1 MB ORU with an embedded PDF fits many times). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** too-large keeps the message's first bytes (its MSH) so that the refusal can name the message. */
export type FramerEvent = { kind: 'message'; bytes: Buffer } | { kind: 'too-large'; bytes: number; head: Buffer } | { kind: 'garbage'; bytes: number };

const HEAD_BYTES = 4096;

/**
 * Feed it what the socket reads; it returns the complete messages (without
 * their frame bytes) and what it had to skip. Bytes between frames — NUL
 * padding, CR/LF keep-alives, noise — are skipped and reported as garbage
 * unless they are only padding. A message larger than the limit is dropped
 * as it arrives (never buffered whole) and reported once.
 */
export class MllpFramer {
  private chunks: Buffer[] = [];
  private size = 0;
  private inFrame = false;
  private oversized = false;
  private pendingFs = false;
  private head = Buffer.alloc(0);

  constructor(private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES) {}

  push(data: Buffer): FramerEvent[] {
    const events: FramerEvent[] = [];
    let index = 0;
    let garbage = 0;
    while (index < data.length) {
      if (!this.inFrame) {
        const start = data.indexOf(VT, index);
        const skipped = start === -1 ? data.subarray(index) : data.subarray(index, start);
        garbage += countNonPadding(skipped);
        if (start === -1) break;
        this.inFrame = true;
        this.size = 0;
        this.chunks = [];
        this.oversized = false;
        this.pendingFs = false;
        index = start + 1;
        continue;
      }
      // A <FS> that ended the previous read: the frame ends if <CR> follows
      if (this.pendingFs) {
        this.pendingFs = false;
        if (data[index] === CR) {
          events.push(this.finish());
          index += 1;
          continue;
        }
        this.append(Buffer.from([FS]));
      }
      const end = findEnd(data, index);
      if (end === -1) {
        // The whole rest belongs to the message; a final <FS> may be half of the end
        const last = data.length - 1;
        if (data[last] === FS) {
          this.append(data.subarray(index, last));
          this.pendingFs = true;
        } else {
          this.append(data.subarray(index));
        }
        break;
      }
      this.append(data.subarray(index, end));
      events.push(this.finish());
      index = end + 2;
    }
    if (garbage > 0) events.push({ kind: 'garbage', bytes: garbage });
    return events;
  }

  /** Bytes of an unfinished frame held now (for a connection's close). */
  get pendingBytes(): number {
    return this.inFrame ? this.size : 0;
  }

  private append(part: Buffer) {
    if (part.length === 0) return;
    this.size += part.length;
    if (this.size > this.maxMessageBytes) {
      if (!this.oversized) this.head = Buffer.concat(this.chunks).subarray(0, HEAD_BYTES);
      this.oversized = true;
      this.chunks = [];
      return;
    }
    if (!this.oversized) this.chunks.push(Buffer.from(part));
  }

  private finish(): FramerEvent {
    const event: FramerEvent = this.oversized ? { kind: 'too-large', bytes: this.size, head: this.head } : { kind: 'message', bytes: Buffer.concat(this.chunks, this.size) };
    this.head = Buffer.alloc(0);
    this.inFrame = false;
    this.chunks = [];
    this.size = 0;
    this.oversized = false;
    return event;
  }
}

/** The index of <FS><CR> at or after `from`, or -1. */
function findEnd(data: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const fs = data.indexOf(FS, at);
    if (fs === -1 || fs === data.length - 1) return -1;
    if (data[fs + 1] === CR) return fs;
    at = fs + 1;
  }
}

/** NUL, CR, LF, space and tab between frames are padding some senders add; anything else is noise. */
function countNonPadding(bytes: Buffer): number {
  let count = 0;
  for (const byte of bytes) if (byte !== 0 && byte !== CR && byte !== 0x0a && byte !== 0x20 && byte !== 0x09) count += 1;
  return count;
}

/** One message framed for the wire. */
export function frame(message: string | Buffer): Buffer {
  const body = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return Buffer.concat([Buffer.from([VT]), body, Buffer.from([FS, CR])]);
}
