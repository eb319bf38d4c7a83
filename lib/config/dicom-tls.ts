// DICOM TLS (PS3.15 Annex B, secure transport connection profiles): the TLS
// listener's port, our certificate and key, and the CA that peer certificates
// must chain to. Read and checked once at start with the other variables, so
// an installer sees a missing or unreadable file, a file that is not PEM, or a
// key that does not belong to the certificate in the same list as every other
// mistake. The contents are kept: the server uses exactly what was checked.
// Replacing a certificate needs a restart.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSecureContext } from 'node:tls';

export interface DicomTlsConfig {
  /** The TLS listener's port (0 = any free port, for tests); PS3.15 B.1 suggests 2762 */
  port: number;
  certFile: string;
  keyFile: string;
  caFile: string;
  /** Our certificate (PEM, the leaf first, then any intermediates): the server's, and our client certificate when we send */
  cert: Buffer;
  /** Its private key (PEM, unencrypted) */
  key: Buffer;
  /** The CA certificates (PEM) peer certificates must chain to, both ways */
  ca: Buffer;
}

export const DICOM_TLS_VARIABLES = ['DICOM_TLS_PORT', 'DICOM_TLS_CERT', 'DICOM_TLS_KEY', 'DICOM_TLS_CA'] as const;
type DicomTlsVariable = (typeof DICOM_TLS_VARIABLES)[number];

const FILE_VARIABLES = {
  DICOM_TLS_CERT: 'our certificate, a PEM file',
  DICOM_TLS_KEY: 'the private key of DICOM_TLS_CERT, an unencrypted PEM file',
  DICOM_TLS_CA: 'the CA certificate(s) peer certificates must chain to, a PEM file',
} as const;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** The DICOM TLS settings, or undefined when DICOM_TLS_PORT is unset; every problem found is listed. */
export function readDicomTls(values: Partial<Record<DicomTlsVariable, string>>): { tls: DicomTlsConfig | undefined; problems: string[] } {
  const problems: string[] = [];
  const rawPort = values.DICOM_TLS_PORT?.trim();
  if (rawPort === undefined) {
    const stray = (Object.keys(FILE_VARIABLES) as (keyof typeof FILE_VARIABLES)[]).filter((name) => values[name] !== undefined);
    if (stray.length) problems.push(`DICOM_TLS_PORT: ${stray.join(', ')} ${stray.length > 1 ? 'are' : 'is'} set but DICOM_TLS_PORT is not — set it (e.g. 2762) to turn DICOM TLS on, or unset ${stray.length > 1 ? 'them' : 'it'}`);
    return { tls: undefined, problems };
  }
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : -1;
  if (port < 0 || port > 65535) problems.push('DICOM_TLS_PORT: expected a port number 0-65535 (DICOM TLS commonly uses 2762)');

  const files: Partial<Record<keyof typeof FILE_VARIABLES, { file: string; pem: Buffer }>> = {};
  for (const [name, what] of Object.entries(FILE_VARIABLES) as [keyof typeof FILE_VARIABLES, string][]) {
    const value = values[name]?.trim();
    if (!value) {
      problems.push(`${name}: required with DICOM_TLS_PORT (${what})`);
      continue;
    }
    const file = path.resolve(value);
    try {
      files[name] = { file, pem: readFileSync(file) };
    } catch (error) {
      problems.push(`${name}: cannot read ${file} (${readFailure(error)})`);
    }
  }

  const { DICOM_TLS_CERT: cert, DICOM_TLS_KEY: key, DICOM_TLS_CA: ca } = files;
  let certificate: X509Certificate | undefined;
  let privateKey: KeyObject | undefined;
  if (cert) {
    try {
      certificate = new X509Certificate(cert.pem);
    } catch {
      problems.push(`DICOM_TLS_CERT: ${cert.file} is not a PEM certificate`);
    }
  }
  if (key) {
    try {
      privateKey = createPrivateKey(key.pem);
    } catch {
      problems.push(`DICOM_TLS_KEY: ${key.file} is not an unencrypted PEM private key`);
    }
  }
  if (certificate && privateKey && !certificate.checkPrivateKey(privateKey)) {
    problems.push(`DICOM_TLS_KEY: ${key?.file} is not the private key of the certificate in ${cert?.file}`);
  }
  if (ca) {
    const blocks = ca.pem.toString('utf8').match(PEM_CERTIFICATE) ?? [];
    const readable = blocks.filter((block) => {
      try {
        new X509Certificate(block);
        return true;
      } catch {
        return false;
      }
    });
    if (!blocks.length || readable.length !== blocks.length) problems.push(`DICOM_TLS_CA: ${ca.file} must hold one or more PEM certificates (the CA's)`);
  }
  if (problems.length || !cert || !key || !ca) return { tls: undefined, problems };
  try {
    // What OpenSSL itself will be given: anything it refuses is refused now, not at the first association.
    createSecureContext({ cert: cert.pem, key: key.pem, ca: ca.pem });
  } catch (error) {
    problems.push(`DICOM_TLS_CERT: OpenSSL refuses ${cert.file} with ${key.file} and ${ca.file}: ${error instanceof Error ? error.message : String(error)}`);
    return { tls: undefined, problems };
  }
  return { tls: { port, certFile: cert.file, keyFile: key.file, caFile: ca.file, cert: cert.pem, key: key.pem, ca: ca.pem }, problems };
}

function readFailure(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied for the user running Telepacs';
  if (code === 'EISDIR') return 'it is a directory';
  return error instanceof Error ? error.message : String(error);
}
