// The certificate a facility signs its final report PDFs with. Made at first
// use (RSA 3072, self-signed, CN and O = the facility's name, 5 years), or
// imported from the hospital's CA. Kept as an encrypted PKCS#12 beside the data,
// not in the database (as the second-factor key is, lib/auth/second-factor/
// secret-box.ts): DATA_DIR/secrets/report-signing/<facilityId>.p12 and the
// random passphrase that opens it in <facilityId>.passphrase, both mode 0600.
// A database dump then cannot sign reports. Replacing the certificate never
// breaks older PDFs: each signed PDF carries the certificate it was signed with.
import { generateKeyPair, randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { DomainError } from '../../errors/domain-error';

const KEY_BITS = 3072;
const VALIDITY_YEARS = 5;

export interface SigningCertificateSummary {
  subject: string;
  issuer: string;
  selfSigned: boolean;
  notBefore: Date;
  notAfter: Date;
  /** SHA-256 of the certificate's DER, hex: what an admin compares with the CA's paperwork */
  sha256Fingerprint: string;
}

/** What sign-pdf.ts needs: the PKCS#12 and its passphrase. */
export interface FacilitySigner {
  p12: Buffer;
  passphrase: string;
  certificate: SigningCertificateSummary;
}

export function facilitySigningCertificatePaths(dataDir: string, facilityId: string): { p12: string; passphrase: string } {
  // Facility ids are cuids; anything else must not choose a path
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(facilityId)) throw new Error(`not a facility id: ${JSON.stringify(facilityId)}`);
  const directory = path.join(dataDir, 'secrets', 'report-signing');
  return { p12: path.join(directory, `${facilityId}.p12`), passphrase: path.join(directory, `${facilityId}.passphrase`) };
}

function readIfPresent(file: string): Buffer | null {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Writes to a temporary file and renames: a reader sees the old file or the new one, never half of one. */
function writeAtomically(file: string, bytes: Buffer | string): void {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(temporary, bytes, { mode: 0o600 });
  renameSync(temporary, file);
}

/**
 * A name attribute's text. forge keeps a parsed UTF8String as its raw bytes but
 * encodes the value it writes, so a parsed name must be decoded before forge
 * reads or writes it. (@types/node-forge types valueTagClass as a Class; it is a Type.)
 */
export function certificateFieldText(field: forge.pki.CertificateField): string {
  return Number(field.valueTagClass) === forge.asn1.Type.UTF8 ? forge.util.decodeUtf8(String(field.value)) : String(field.value);
}

function summary(certificate: forge.pki.Certificate): SigningCertificateSummary {
  const name = (attributes: forge.pki.CertificateField[]) => attributes.map((field) => `${field.shortName ?? field.name}=${certificateFieldText(field)}`).join(', ');
  const der = forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes();
  return {
    subject: name(certificate.subject.attributes),
    issuer: name(certificate.issuer.attributes),
    selfSigned: certificate.isIssuer(certificate),
    notBefore: certificate.validity.notBefore,
    notAfter: certificate.validity.notAfter,
    sha256Fingerprint: forge.md.sha256.create().update(der).digest().toHex(),
  };
}

/** PKCS#12 with AES-256 (forge's default 3DES is no longer accepted by OpenSSL 3 without -legacy). */
function toP12(key: forge.pki.rsa.PrivateKey, chain: forge.pki.Certificate[], passphrase: string): Buffer {
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, chain, passphrase, { algorithm: 'aes256', friendlyName: 'report-signing' });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}

async function selfSignedP12(facilityName: string, passphrase: string): Promise<Buffer> {
  // Node's generator is native (forge's pure-JS one takes seconds for 3072 bits)
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', {
    modulusLength: KEY_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // A positive serial of 16 random bytes (RFC 5280 4.1.2.2: at most 20 octets)
  certificate.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = new Date();
  certificate.validity.notBefore = new Date(now.getTime() - 5 * 60_000);
  certificate.validity.notAfter = new Date(now);
  certificate.validity.notAfter.setUTCFullYear(now.getUTCFullYear() + VALIDITY_YEARS);
  // UTF8String (forge encodes it); RFC 5280 ub-common-name: 64 characters
  const name = [...facilityName].slice(0, 64).join('');
  const subject = [
    { name: 'commonName', value: name, valueTagClass: forge.asn1.Type.UTF8 },
    { name: 'organizationName', value: name, valueTagClass: forge.asn1.Type.UTF8 },
  ] as unknown as forge.pki.CertificateField[];
  certificate.setSubject(subject);
  certificate.setIssuer(subject);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const key = forge.pki.privateKeyFromPem(privateKey);
  certificate.sign(key, forge.md.sha256.create());
  return toP12(key, [certificate], passphrase);
}

export interface OpenedP12 {
  key: forge.pki.rsa.PrivateKey;
  certificate: forge.pki.Certificate;
  chain: forge.pki.Certificate[];
}

/** The one RSA key of a PKCS#12, its certificate, and the rest of the chain after it. */
export function openP12(bytes: Buffer, passphrase: string): OpenedP12 {
  const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(bytes.toString('binary'))), false, passphrase);
  const keys = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? []),
  ].flatMap((bag) => (bag.key ? [bag.key as forge.pki.rsa.PrivateKey] : []));
  const chain = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? []).flatMap((bag) => (bag.cert ? [bag.cert] : []));
  if (keys.length !== 1) throw new Error(`the file holds ${keys.length} private keys (one expected${keys.length === 0 ? '; only RSA keys can be read' : ''})`);
  const [key] = keys as [forge.pki.rsa.PrivateKey];
  const certificate = chain.find((candidate) => {
    const publicKey = candidate.publicKey as forge.pki.rsa.PublicKey;
    return publicKey.n?.equals(key.n) && publicKey.e?.equals(key.e);
  });
  if (!certificate) throw new Error('no certificate in the file matches its private key');
  return { key, certificate, chain: [certificate, ...chain.filter((other) => other !== certificate)] };
}

const pending = new Map<string, Promise<FacilitySigner>>();

/** The facility's signer, made (and stored) on first use. */
export function facilitySigner(dataDir: string, facilityId: string, facilityName: string): Promise<FacilitySigner> {
  const paths = facilitySigningCertificatePaths(dataDir, facilityId);
  // Two reports of one facility signed at once in this process make one certificate
  const inFlight = pending.get(paths.p12);
  if (inFlight) return inFlight;
  const made = loadOrCreate(paths, facilityName).finally(() => pending.delete(paths.p12));
  pending.set(paths.p12, made);
  return made;
}

async function loadOrCreate(paths: { p12: string; passphrase: string }, facilityName: string): Promise<FacilitySigner> {
  const stored = load(paths);
  if (stored) return stored;
  mkdirSync(path.dirname(paths.p12), { recursive: true, mode: 0o700 });
  const passphrase = randomBytes(32).toString('base64url');
  const p12 = await selfSignedP12(facilityName, passphrase);
  // The passphrase file is the claim: link() fails if another process got there first
  const claim = `${paths.passphrase}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(claim, passphrase + '\n', { mode: 0o600 });
  try {
    linkSync(claim, paths.passphrase);
    writeAtomically(paths.p12, p12);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // The other process writes its .p12 right after its passphrase
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const theirs = load(paths);
      if (theirs) return theirs;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${paths.passphrase} exists without ${paths.p12}`);
  } finally {
    rmSync(claim, { force: true });
  }
  return { p12, passphrase, certificate: summary(openP12(p12, passphrase).certificate) };
}

function load(paths: { p12: string; passphrase: string }): FacilitySigner | null {
  const p12 = readIfPresent(paths.p12);
  const passphrase = readIfPresent(paths.passphrase)?.toString('utf8').trim();
  if (!p12 || passphrase === undefined) return null;
  return { p12, passphrase, certificate: summary(openP12(p12, passphrase).certificate) };
}

function refuseCertificate(reason: string, field = 'certificate'): DomainError {
  const message = `This certificate cannot be used: ${reason}.`;
  return new DomainError('INVALID_INPUT', `signing certificate refused: ${reason}`, { userMessage: message, fields: { [field]: message } });
}
const refuse = refuseCertificate;

/** The facility's current certificate, or null before its first signature made one (nothing is made here). */
export function readFacilitySigningCertificate(dataDir: string, facilityId: string): SigningCertificateSummary | null {
  return load(facilitySigningCertificatePaths(dataDir, facilityId))?.certificate ?? null;
}

/**
 * The same import from PEM text, as a CA hands it out: the certificate (then,
 * optionally, its CA chain) and its unencrypted RSA private key (PKCS#1 or
 * PKCS#8). A key that does not belong to the certificate, or text that is not
 * PEM, is refused; the rest is checked by importFacilitySigningCertificate.
 */
export async function importFacilitySigningCertificatePem(
  dataDir: string,
  facilityId: string,
  pem: { certificate: string; privateKey: string },
): Promise<SigningCertificateSummary> {
  let chain: forge.pki.Certificate[];
  try {
    chain = forge.pem.decode(pem.certificate).filter((block) => block.type === 'CERTIFICATE').map((block) => forge.pki.certificateFromAsn1(forge.asn1.fromDer(block.body)));
  } catch {
    chain = [];
  }
  if (chain.length === 0) throw refuse('the certificate is not a PEM certificate (-----BEGIN CERTIFICATE-----) or not an RSA one');
  let key: forge.pki.rsa.PrivateKey;
  try {
    key = forge.pki.privateKeyFromPem(pem.privateKey) as forge.pki.rsa.PrivateKey;
  } catch {
    throw refuse('the private key is not an unencrypted RSA private key in PEM (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)', 'privateKey');
  }
  const publicKey = chain[0].publicKey as forge.pki.rsa.PublicKey;
  if (!key.n || !publicKey.n?.equals(key.n) || !publicKey.e?.equals(key.e)) throw refuse('the private key does not belong to the certificate (the first one in the text)', 'privateKey');
  const passphrase = randomBytes(24).toString('base64url');
  return importFacilitySigningCertificate(dataDir, facilityId, toP12(key, chain, passphrase), passphrase);
}

/**
 * Replaces the facility's certificate with one the hospital's CA issued (a
 * PKCS#12 with one RSA key, its certificate and optionally the CA chain). It is
 * checked, then stored re-encrypted under the facility's own random passphrase,
 * so the one the CA chose is not kept. Reports signed from now on use it.
 */
export async function importFacilitySigningCertificate(dataDir: string, facilityId: string, p12Bytes: Uint8Array, passphrase: string): Promise<SigningCertificateSummary> {
  let opened: OpenedP12;
  try {
    opened = openP12(Buffer.from(p12Bytes), passphrase);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw refuse(/invalid password|mac could not be verified/i.test(message) ? 'wrong passphrase' : `not a readable PKCS#12 file (${message})`);
  }
  const { certificate } = opened;
  const now = Date.now();
  if (certificate.validity.notBefore.getTime() > now) throw refuse('it is not valid yet');
  if (certificate.validity.notAfter.getTime() <= now) throw refuse('it has expired');
  const keyUsage = certificate.getExtension('keyUsage') as { digitalSignature?: boolean; nonRepudiation?: boolean } | null;
  if (keyUsage && !keyUsage.digitalSignature && !keyUsage.nonRepudiation) throw refuse('its key usage does not allow signing');
  if (opened.key.n.bitLength() < 2048) throw refuse('its RSA key is shorter than 2048 bits');
  const paths = facilitySigningCertificatePaths(dataDir, facilityId);
  mkdirSync(path.dirname(paths.p12), { recursive: true, mode: 0o700 });
  // Keep the facility's passphrase (a reader may hold it now); only the .p12 is swapped, atomically
  let ownPassphrase = readIfPresent(paths.passphrase)?.toString('utf8').trim();
  if (ownPassphrase === undefined) {
    ownPassphrase = randomBytes(32).toString('base64url');
    writeAtomically(paths.passphrase, ownPassphrase + '\n');
  }
  writeAtomically(paths.p12, toP12(opened.key, opened.chain, ownPassphrase));
  return summary(certificate);
}
