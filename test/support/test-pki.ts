// Throw-away certificates for DICOM TLS tests, made with the `openssl` CLI in
// a temp dir at test time (no key is ever committed): a CA, and leaf
// certificates it issues for servers and clients, valid one day. RSA keys:
// the Non-downgrading BCP 195 profile DCMTK uses by default has RSA suites
// only for TLS 1.2.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificate {
  /** PEM file paths */
  cert: string;
  key: string;
}

export interface TestPki {
  dir: string;
  /** The CA certificate (PEM path) */
  ca: string;
  /**
   * A leaf certificate issued by this CA. `hosts`: subjectAltNames (IP
   * addresses or DNS names); default 127.0.0.1 and localhost.
   */
  issue(commonName: string, options?: { hosts?: readonly string[] }): TestCertificate;
  /** Reads a PEM file made here */
  read(file: string): Buffer;
  cleanup(): void;
}

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const IP_PATTERN = /^[0-9.]+$|:/;

/** A new CA in its own temp dir (call cleanup()). `name` tells two CAs apart in their subjects. */
export function createTestPki(name = 'Telepacs Test CA'): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-pki-'));
  const ca = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca.key');
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', ca, '-days', '1', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  let serial = 0;
  return {
    dir,
    ca,
    issue(commonName, options = {}) {
      serial += 1;
      const base = path.join(dir, `${serial}-${commonName.replace(/[^A-Za-z0-9_-]/g, '_')}`);
      const hosts = options.hosts ?? ['127.0.0.1', 'localhost'];
      const san = hosts.map((host) => (IP_PATTERN.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
      writeFileSync(`${base}.ext`, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
      openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/O=Telepacs tests/CN=${commonName}`], dir);
      openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', ca, '-CAkey', caKey, '-set_serial', String(serial), '-days', '1', '-out', `${base}.pem`, '-extfile', `${base}.ext`], dir);
      return { cert: `${base}.pem`, key: `${base}.key` };
    },
    read: (file) => readFileSync(file),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
