// DICOM TLS (PS3.15 Annex B): the settings both directions share. We follow
// the Non-downgrading BCP 195 TLS Secure Transport Connection Profile
// (PS3.15 B.10, RFC 7525): TLS 1.2 or newer, never a fall-back to older
// versions, and for TLS 1.2 only its four AEAD suites with forward secrecy,
// plus the ECDSA variants RFC 9325 (BCP 195's update) recommends so ECDSA
// certificates work too. TLS 1.3 uses OpenSSL's TLS 1.3 suites (all AEAD).
// DCMTK's default profile (+py) is this one, so `storescu +tls` meets it.
import type { Socket } from 'node:net';
import tls from 'node:tls';

/** PEM contents: our certificate and key, and the CA peer certificates must chain to. */
export interface DicomTlsCredentials {
  cert: Buffer | string;
  key: Buffer | string;
  ca: Buffer | string;
}

/** OpenSSL names of TLS_ECDHE_RSA/TLS_DHE_RSA_WITH_AES_{128,256}_GCM_SHA{256,384} and the ECDSA ones. */
export const DICOM_TLS_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES128-GCM-SHA256',
].join(':');

/** PS3.8 9.1.5 ARTIM: a client that has not finished the TLS handshake by then is dropped. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

/**
 * The TLS listener: our certificate, and every client asked for one (it may
 * decline). `rejectUnauthorized: false` keeps a client without a valid
 * certificate connected long enough to be refused per peer, with an
 * A-ASSOCIATE-RJ and an audit row, by the association policy.
 */
export function tlsServerOptions(credentials: DicomTlsCredentials): tls.TlsOptions {
  return {
    cert: credentials.cert,
    key: credentials.key,
    ca: credentials.ca,
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    ciphers: DICOM_TLS_CIPHERS,
    // BCP 195: the server picks the strongest suite both sides support
    honorCipherOrder: true,
    // Well-known 2048-bit+ groups (RFC 7919) for the DHE suites
    dhparam: 'auto',
    handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
  };
}

/**
 * Connects to a TLS peer presenting our certificate as client certificate,
 * and verifies its certificate against our CA only (not the system's) and
 * against the host it is registered under (a DNS or IP subjectAltName):
 * every peer's certificate chains to the same CA, so the chain alone would
 * let one peer stand in for another.
 */
export function connectTls(peer: { host: string; port: number }, credentials: DicomTlsCredentials): tls.TLSSocket {
  return tls.connect({ ...tlsClientOptions(credentials), host: peer.host, port: peer.port });
}

/** The same settings for dcmjs-dimse's Client (its `securityOptions`). */
export function tlsClientOptions(credentials: DicomTlsCredentials): DicomTlsCredentials & { rejectUnauthorized: true; minVersion: tls.SecureVersion; ciphers: string } {
  return { cert: credentials.cert, key: credentials.key, ca: credentials.ca, rejectUnauthorized: true, minVersion: 'TLSv1.2', ciphers: DICOM_TLS_CIPHERS };
}

/** What the association policy learns about a connection's transport. */
export interface TransportFacts {
  /** The association came over the TLS listener */
  secure: boolean;
  /** It presented a client certificate that chains to our CA */
  clientCertificateAuthorized: boolean;
  /** That certificate's subject (e.g. "CN=CT1,O=Hospital"), for logs and audit; absent without one */
  clientCertificateSubject?: string;
}

export function transportFactsOf(socket: Socket): TransportFacts {
  if (!(socket instanceof tls.TLSSocket)) return { secure: false, clientCertificateAuthorized: false };
  const certificate = socket.getPeerCertificate();
  const subject = certificate && certificate.subject ? Object.entries(certificate.subject).map(([key, value]) => `${key}=${String(value)}`).join(',') : undefined;
  return { secure: true, clientCertificateAuthorized: socket.authorized, ...(subject ? { clientCertificateSubject: subject } : {}) };
}
