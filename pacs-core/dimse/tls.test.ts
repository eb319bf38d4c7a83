// The TLS listener's profile (PS3.15 B.10, Non-downgrading BCP 195): TLS 1.2
// or newer, and under TLS 1.2 only AEAD suites with forward secrecy. Probed
// with Node's own TLS client, which can be told to offer anything.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { createTestPki, type TestPki } from '../../test/support/test-pki';
import { tlsServerOptions } from './tls';

describe('DICOM TLS listener profile', () => {
  let pki: TestPki;
  let server: tls.Server;
  let port: number;
  before(async () => {
    pki = createTestPki();
    const ours = pki.issue('TELEPACS');
    server = tls.createServer(tlsServerOptions({ cert: pki.read(ours.cert), key: pki.read(ours.key), ca: pki.read(pki.ca) }), (socket) => socket.end());
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    pki.cleanup();
  });

  /** The negotiated "protocol cipher", or the error that ended the handshake. */
  function handshake(options: tls.ConnectionOptions): Promise<string> {
    return new Promise((resolve) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: pki.read(pki.ca), ...options });
      socket.once('secureConnect', () => {
        resolve(`${socket.getProtocol()} ${socket.getCipher().name}`);
        socket.destroy();
      });
      socket.once('error', (error) => resolve(`refused: ${error.message}`));
    });
  }

  it('negotiates TLS 1.3, or TLS 1.2 with the profile suites', async () => {
    assert.match(await handshake({}), /^TLSv1\.3 /);
    for (const suite of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-GCM-SHA384']) {
      assert.equal(await handshake({ maxVersion: 'TLSv1.2', ciphers: suite }), `TLSv1.2 ${suite}`);
    }
  });

  it('refuses TLS 1.0/1.1 and TLS 1.2 suites outside the profile (static RSA, CBC, ChaCha20)', async () => {
    for (const version of ['TLSv1', 'TLSv1.1'] as const) {
      // The server's alert, not our client refusing to offer an old version
      assert.match(await handshake({ minVersion: version, maxVersion: version, ciphers: 'DEFAULT@SECLEVEL=0' }), /^refused: .*alert protocol version/, version);
    }
    for (const suite of ['AES128-GCM-SHA256', 'AES128-SHA', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-RSA-CHACHA20-POLY1305']) {
      assert.match(await handshake({ maxVersion: 'TLSv1.2', ciphers: suite }), /^refused: .*handshake failure/i, suite);
    }
  });
});
