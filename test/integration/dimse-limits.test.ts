// The DICOM port under abuse: idle sockets, a half-sent A-ASSOCIATE-RQ,
// too many connections from one address, a silent association. The HTTP
// side must keep answering, and every such socket must be closed by the
// server on its own (ARTIM, caps, idle time; README "The DICOM door").
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hasDcmtk, makeInstance } from '../support/fixtures';
import { echoscu, freePort, movescu, storescu, waitUntil, writeTempFiles } from '../support/dcmtk';
import { associateRequestPdu, openRawConnection, type RawConnection } from '../support/raw-dimse';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const alive = () => true;

async function openMany(port: number, count: number): Promise<RawConnection[]> {
  const connections: RawConnection[] = [];
  for (let start = 0; start < count; start += 250) {
    connections.push(...(await Promise.all(Array.from({ length: Math.min(250, count - start) }, () => openRawConnection(port)))));
  }
  return connections;
}

describe('DIMSE door: ARTIM timer (idle sockets, half-sent requests)', () => {
  let server: TestServer;
  before(async () => {
    // Caps above the flood: here only the ARTIM timer may close the sockets
    server = await startTestServer({ env: { DICOM_ARTIM_SECONDS: '10', DICOM_MAX_ASSOCIATIONS: '5000', DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: '5000' } });
  });
  after(async () => {
    await server?.stop();
  });

  it('answers /api/health in under 1 s while 2,000 idle sockets hold the DICOM port, then closes them all by the ARTIM timer', async () => {
    const sockets = await openMany(server.dicomPort, 2000);
    try {
      await waitUntil('2,000 DIMSE connections counted', async () => server.node.dicomConnections() === 2000, 10_000, alive);
      const started = performance.now();
      const response = await fetch(`${server.url}/api/health`);
      const ms = performance.now() - started;
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { status: 'ok' });
      assert.ok(ms < 1000, `/api/health took ${ms.toFixed(0)} ms`);
      assert.equal(sockets.filter((socket) => socket.closed).length, 0, 'measured while all 2,000 were open');
      await waitUntil('every idle socket closed by the server', async () => sockets.every((socket) => socket.closed), 30_000, alive);
      assert.equal(server.node.dicomConnections(), 0);
      assert.ok(sockets.every((socket) => socket.pdus.length === 0), 'nothing was answered to silence');
    } finally {
      for (const connection of sockets) connection.socket.destroy();
    }
  });

  it('closes a connection whose A-ASSOCIATE-RQ stops half-way, even while it trickles bytes', async () => {
    const request = associateRequestPdu({ calledAet: 'TELEPACS', callingAet: 'ANYONE' });
    const connection = await openRawConnection(server.dicomPort);
    connection.socket.write(request.subarray(0, 40));
    let sent = 40;
    // One more byte every 500 ms: an inactivity timer would never fire
    const trickle = setInterval(() => {
      if (sent < request.length - 1 && !connection.closed) connection.socket.write(request.subarray(sent, ++sent));
    }, 500);
    try {
      await waitUntil('the half-sent request closed by ARTIM', async () => connection.closed, 30_000, alive);
      assert.deepEqual(connection.pduTypes, [], 'no association was ever accepted');
    } finally {
      clearInterval(trickle);
      connection.socket.destroy();
    }
  });
});

describe('DIMSE door: connection caps and the idle association', { skip }, () => {
  const SCU = 'LIMITS_SCU';
  let server: TestServer;
  let slowDestination: Server;
  const held: Socket[] = [];
  const us = () => ({ port: server.dicomPort, aet: 'TELEPACS' });
  // Each test starts with the connections of the one before gone (the server counts a close a moment later)
  const noConnectionLeft = () => waitUntil('no connection left from the last test', async () => server.node.dicomConnections() === 0, 5_000, alive);

  before(async () => {
    // A C-MOVE destination that takes 3.5 s to fail its association: longer than the idle time
    slowDestination = createServer((socket) => {
      held.push(socket);
      socket.on('error', () => {});
      setTimeout(() => socket.destroy(), 3_500);
    });
    await new Promise<void>((resolve) => slowDestination.listen(0, '127.0.0.1', resolve));
    const slowPort = (slowDestination.address() as { port: number }).port;
    server = await startTestServer({
      env: {
        DICOM_PEERS: `${SCU}@127.0.0.1:${await freePort()},SLOW_DEST@127.0.0.1:${slowPort}`,
        DICOM_MAX_ASSOCIATIONS: '50',
        DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: '3',
        DICOM_IDLE_SECONDS: '2',
        // Long: in these tests only the caps and the idle time may close a socket
        DICOM_ARTIM_SECONDS: '60',
      },
    });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    slowDestination?.close();
    await server?.stop();
  });

  it('refuses echoscu over the per-address cap with a transient local-limit reject, and serves it under the cap', async () => {
    await noConnectionLeft();
    const holders = await openMany(server.dicomPort, 3);
    try {
      await waitUntil('3 connections counted', async () => server.node.dicomConnections() === 3, 5_000, alive);
      const refused = await echoscu(us(), { callingAet: SCU });
      assert.notEqual(refused.exitCode, 0);
      assert.match(refused.stderr + refused.stdout, /Rejected Transient, Source: Service Provider \(Presentation Related\)[\s\S]*Reason: Local Limit Exceeded/, refused.stderr);
      holders[0].socket.destroy();
      await waitUntil('one connection freed', async () => server.node.dicomConnections() === 2, 5_000, alive);
      const served = await echoscu(us(), { callingAet: SCU });
      assert.equal(served.exitCode, 0, served.stderr);
    } finally {
      for (const connection of holders) connection.socket.destroy();
    }
  });

  it('closes connections over the cap at once, so that they cannot pile up', async () => {
    await noConnectionLeft();
    const holders = await openMany(server.dicomPort, 3);
    try {
      await waitUntil('3 connections counted', async () => server.node.dicomConnections() === 3, 5_000, alive);
      const flood = await openMany(server.dicomPort, 200);
      // ARTIM is 60 s here: only the refusal of over-cap connections can close them this soon
      await waitUntil('every over-cap connection closed', async () => flood.every((connection) => connection.closed), 15_000, alive);
      assert.equal(server.node.dicomConnections(), 3);
      assert.ok(holders.every((connection) => !connection.closed), 'the connections within the cap stay');
    } finally {
      for (const connection of holders) connection.socket.destroy();
    }
  });

  it('aborts an association that stays silent longer than DICOM_IDLE_SECONDS', async () => {
    await noConnectionLeft();
    const connection = await openRawConnection(server.dicomPort);
    try {
      connection.socket.write(associateRequestPdu({ calledAet: 'TELEPACS', callingAet: SCU }));
      await waitUntil('A-ASSOCIATE-AC', async () => connection.pduTypes.includes(0x02), 5_000, alive);
      await waitUntil('the silent association closed', async () => connection.closed, 15_000, alive);
      assert.deepEqual(connection.pduTypes, [0x02, 0x07], 'accepted, then A-ABORT');
      assert.equal(connection.pdus[1][8], 2, 'A-ABORT source: DICOM UL service-provider');
    } finally {
      connection.socket.destroy();
    }
  });

  it('does not abort a C-MOVE that waits on its destination longer than the idle time', async () => {
    await noConnectionLeft();
    const temp = writeTempFiles([makeInstance({ patientId: 'LIMITS-MOVE', seed: 'dimse-limits-move' })]);
    let studyUid = '';
    try {
      const stored = await storescu(us(), temp.paths, { callingAet: SCU });
      assert.equal(stored.exitCode, 0, stored.stderr);
      studyUid = (await server.node.db.study.findFirstOrThrow({ where: { patient: { patientId: 'LIMITS-MOVE' } } })).studyInstanceUid;
    } finally {
      temp.cleanup();
    }
    const result = await movescu(us(), { callingAet: SCU, level: 'STUDY', keys: { StudyInstanceUID: studyUid }, destination: 'SLOW_DEST' });
    assert.doesNotMatch(result.stderr + result.stdout, /abort/i);
    // The final response came back over the association: its sub-operation failed, the association did not
    assert.equal(result.finalStatus?.code, 0xa702, JSON.stringify(result.finalStatus));
    assert.deepEqual(result.counts, { completed: 0, failed: 1, warning: 0 });
  });
});
