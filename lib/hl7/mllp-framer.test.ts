// The MLLP framer against the ways TCP really delivers HL7: split anywhere,
// several per read, padding, oversized, noise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { frame, MllpFramer, type FramerEvent } from './mllp-framer';

const messages = (events: FramerEvent[]) => events.filter((e) => e.kind === 'message').map((e) => (e.kind === 'message' ? e.bytes.toString('utf8') : ''));
const A = 'MSH|^~\\&|RIS|HOSP|||20261207||ADT^A08|1|P|2.5.1\rPID|1||MRN1\r';
const B = 'MSH|^~\\&|RIS|HOSP|||20261207||ADT^A08|2|P|2.5.1\rPID|1||MRN2\r';

describe('MllpFramer', () => {
  it('finds a message split at every possible byte, including between <FS> and <CR>', () => {
    const wire = frame(A);
    for (let cut = 1; cut < wire.length; cut += 1) {
      const framer = new MllpFramer();
      const got = [...messages(framer.push(wire.subarray(0, cut))), ...messages(framer.push(wire.subarray(cut)))];
      assert.deepEqual(got, [A], `cut at ${cut}`);
    }
  });

  it('finds every message of one read, and a message delivered one byte at a time', () => {
    const framer = new MllpFramer();
    assert.deepEqual(messages(framer.push(Buffer.concat([frame(A), frame(B), frame(A)]))), [A, B, A]);
    const wire = Buffer.concat([frame(B), frame(A)]);
    const got: string[] = [];
    for (const byte of wire) got.push(...messages(framer.push(Buffer.from([byte]))));
    assert.deepEqual(got, [B, A]);
  });

  it('skips NUL and CR/LF padding between frames without calling it noise, and reports noise', () => {
    const framer = new MllpFramer();
    const events = framer.push(Buffer.concat([Buffer.alloc(16), frame(A), Buffer.from('\0\0\r\n'), frame(B), Buffer.alloc(100)]));
    assert.deepEqual(messages(events), [A, B]);
    assert.equal(events.filter((e) => e.kind === 'garbage').length, 0);
    const noisy = framer.push(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\n'), frame(A)]));
    assert.deepEqual(messages(noisy), [A]);
    assert.deepEqual(noisy.find((e) => e.kind === 'garbage'), { kind: 'garbage', bytes: 12 });
  });

  it('keeps a <FS> inside a message that is not followed by <CR>', () => {
    const odd = 'MSH|^~\\&|X\rOBX|1|ED|PDF||A\x1cB\r';
    assert.deepEqual(messages(new MllpFramer().push(frame(odd))), [odd]);
  });

  it('carries a 1 MB message in 64 KiB reads, and drops one over the limit without holding it', () => {
    const big = `${A}OBX|1|ED|PDF^Report||^application^pdf^Base64^${'QUJD'.repeat(262_144)}\r`;
    const wire = frame(big);
    const framer = new MllpFramer();
    const got: string[] = [];
    for (let at = 0; at < wire.length; at += 65_536) got.push(...messages(framer.push(wire.subarray(at, at + 65_536))));
    assert.equal(got.length, 1);
    assert.equal(got[0].length, big.length);
    const small = new MllpFramer(1000);
    const events = small.push(Buffer.concat([frame(big), frame(B)]));
    assert.deepEqual(events.map((e) => e.kind), ['too-large', 'message']);
    assert.equal(small.pendingBytes, 0);
  });
});
