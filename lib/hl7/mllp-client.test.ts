// The MLLP client against a socket that answers the ways RISs do: an ACK in
// pieces, nothing, a closed connection, no listener.
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { frame } from './mllp-framer';
import { MllpSendError, sendMllpMessage } from './mllp-client';

const MESSAGE = 'MSH|^~\\&|TELEPACS|F|RIS|H|20261207||ORU^R01^ORU_R01|1|P|2.5.1\r';
const ACK = 'MSH|^~\\&|RIS|H|TELEPACS|F|20261207||ACK^R01^ACK|9|P|2.5.1\rMSA|AA|1\r';

async function withServer(onConnection: (socket: net.Socket) => void, run: (port: number) => Promise<void>): Promise<void> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await run((server.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('sendMllpMessage', () => {
  it('reads an ACK that arrives in pieces, with NUL padding before it', async () => {
    await withServer(
      (socket) => {
        socket.once('data', () => {
          const wire = Buffer.concat([Buffer.from([0, 0]), frame(ACK)]);
          socket.write(wire.subarray(0, 7));
          setImmediate(() => socket.write(wire.subarray(7, wire.length - 1), () => setImmediate(() => socket.write(wire.subarray(wire.length - 1)))));
        });
      },
      async (port) => {
        const ack = await sendMllpMessage({ host: '127.0.0.1', port, message: MESSAGE });
        assert.equal(ack.toString('utf8'), ACK);
      },
    );
  });

  it('gives up when no ACK comes in time, or the connection closes first', async () => {
    await withServer(
      (socket) => socket.resume(),
      async (port) => {
        await assert.rejects(sendMllpMessage({ host: '127.0.0.1', port, message: MESSAGE, ackTimeoutMs: 200 }), (error: Error) => error instanceof MllpSendError && /no acknowledgment .* within 0.2 s/.test(error.message));
      },
    );
    await withServer(
      (socket) => socket.once('data', () => socket.end()),
      async (port) => {
        await assert.rejects(sendMllpMessage({ host: '127.0.0.1', port, message: MESSAGE }), /closed the connection before acknowledging/);
      },
    );
  });

  it('says when nobody listens', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await assert.rejects(sendMllpMessage({ host: '127.0.0.1', port, message: MESSAGE }), /ECONNREFUSED/);
  });
});
