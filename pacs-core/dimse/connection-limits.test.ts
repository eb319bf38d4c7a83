import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { silentLogger } from '../logger';
import { ConnectionLimiter, abortPdu, associateRejectPdu } from './connection-limits';

/** Just what the limiter uses of a socket: events, end() and destroy(). */
class FakeSocket extends EventEmitter {
  written: Buffer[] = [];
  destroyed = false;
  end(data?: Buffer) {
    if (data) this.written.push(data);
  }
  destroy() {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('close');
  }
}

const socket = () => new FakeSocket() as FakeSocket & Socket;

describe('ConnectionLimiter', () => {
  it('admits up to the total cap across addresses, and again once one closes', () => {
    const limiter = new ConnectionLimiter({ maxConnections: 3, maxConnectionsPerAddress: 2 }, silentLogger);
    const open = [socket(), socket(), socket()];
    assert.deepEqual([limiter.admit(open[0], '10.0.0.1'), limiter.admit(open[1], '10.0.0.1'), limiter.admit(open[2], '10.0.0.2')], [true, true, true]);
    const over = socket();
    assert.equal(limiter.admit(over, '10.0.0.3'), false, 'a fresh address, but the total is reached');
    over.emit('data', Buffer.from([0x01]));
    // PS3.8 Table 9-21: rejected-transient (2), service-provider presentation (3), local-limit-exceeded (2)
    assert.deepEqual(over.written, [Buffer.from([0x03, 0, 0, 0, 0, 4, 0, 2, 3, 2])]);
    open[2].destroy();
    assert.equal(limiter.openConnections, 2);
    assert.equal(limiter.admit(socket(), '10.0.0.3'), true);
  });

  it('refuses the connection past the per-address cap while others are still admitted', () => {
    const limiter = new ConnectionLimiter({ maxConnections: 10, maxConnectionsPerAddress: 1 }, silentLogger);
    assert.equal(limiter.admit(socket(), '10.0.0.1'), true);
    assert.equal(limiter.admit(socket(), '10.0.0.1'), false);
    assert.equal(limiter.admit(socket(), '10.0.0.2'), true);
  });

  it('writes A-ABORT and A-ASSOCIATE-RJ PDUs as PS3.8 9.3 lays them out', () => {
    assert.deepEqual(abortPdu(2, 0), Buffer.from([0x07, 0, 0, 0, 0, 4, 0, 0, 2, 0]));
    assert.deepEqual(associateRejectPdu(1, 1, 3), Buffer.from([0x03, 0, 0, 0, 0, 4, 0, 1, 1, 3]));
  });
});
