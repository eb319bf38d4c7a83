import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { authorizeDicomTransport } from './dicom-transport';

const plainPort = { secure: false, clientCertificateAuthorized: false };
const tlsPort = { secure: true, clientCertificateAuthorized: false };
const tlsWithCertificate = { secure: true, clientCertificateAuthorized: true };

describe('authorizeDicomTransport (DICOM TLS per peer)', () => {
  it('refuses a TLS peer on the plain port, and accepts it on the TLS port with or without a certificate', () => {
    const peer = { tls: true, requireClientCertificate: false };
    assert.deepEqual(authorizeDicomTransport(peer, plainPort), { allowed: false, reason: 'DICOM TLS required: association on the plain DICOM port' });
    assert.deepEqual(authorizeDicomTransport(peer, tlsPort), { allowed: true });
    assert.deepEqual(authorizeDicomTransport(peer, tlsWithCertificate), { allowed: true });
  });

  it('refuses a peer that must show a certificate without one that chains to our CA, and on the plain port', () => {
    const peer = { tls: true, requireClientCertificate: true };
    assert.equal(authorizeDicomTransport(peer, plainPort).allowed, false);
    assert.deepEqual(authorizeDicomTransport(peer, tlsPort), { allowed: false, reason: 'client certificate required: none, or not issued by DICOM_TLS_CA' });
    assert.deepEqual(authorizeDicomTransport(peer, tlsWithCertificate), { allowed: true });
    // requireClientCertificate alone (a row written by hand) still means TLS
    assert.equal(authorizeDicomTransport({ tls: false, requireClientCertificate: true }, plainPort).allowed, false);
  });

  it('lets a plain peer use either port', () => {
    const peer = { tls: false, requireClientCertificate: false };
    assert.deepEqual(authorizeDicomTransport(peer, plainPort), { allowed: true });
    assert.deepEqual(authorizeDicomTransport(peer, tlsPort), { allowed: true });
  });
});
