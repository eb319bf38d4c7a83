// The PDF that proves itself, checked by poppler's pdfsig: valid as signed,
// invalid after one changed byte; the facility's certificate is made once and
// kept secret on disk, and a CA-issued one (made here with the openssl CLI,
// as a hospital's CA would hand it over) replaces it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { DomainError } from '../../errors/domain-error';
import { facilitySigner, facilitySigningCertificatePaths, importFacilitySigningCertificate } from './facility-signing-certificate';
import { renderReportPdf } from './render-report-pdf';
import { sampleReportInput } from './sample-report';
import { signReportPdf } from './sign-pdf';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'report-sign-test-'));

/** pdfsig's report; it exits non-zero for an invalid signature, which is an answer here, not an error. */
function pdfsig(pdf: Buffer, name: string): string {
  const file = path.join(workDir, name);
  writeFileSync(file, pdf);
  const run = spawnSync('pdfsig', [file], { encoding: 'utf8' });
  return run.stdout + run.stderr;
}

/** A text entry of the signature dictionary (/Name, /Location), as a PDF reader decodes it: UTF-16BE hex with a BOM. */
function signatureText(pdf: string, key: string): string | undefined {
  const hex = new RegExp(`/${key} <FEFF([0-9A-F]*)>`).exec(pdf)?.[1];
  return hex === undefined ? undefined : Buffer.from(hex, 'hex').swap16().toString('utf16le');
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: workDir, stdio: 'pipe' });
}

describe('signed report PDF', () => {
  it('is valid for pdfsig as signed, and invalid after one byte of the signed content is changed', async () => {
    const dataDir = mkdtempSync(path.join(workDir, 'data-'));
    const input = await sampleReportInput();
    const signer = await facilitySigner(dataDir, 'facility1', input.facility.name);
    const started = performance.now();
    const signed = await signReportPdf(await renderReportPdf(input), { ...signer, signerName: 'Д-р Ана Хорват (Horvát)', location: input.facility.name });
    const elapsed = performance.now() - started;
    const report = pdfsig(signed, 'signed.pdf');
    assert.match(report, /Signature Validation: Signature is Valid\./);
    assert.match(report, /Signer Certificate Common Name: Klinička bolnica Dubrava — Radiologija/);
    assert.match(report, /Signature Type: adbe\.pkcs7\.detached/);
    assert.match(report, /Total document signed/);
    // Self-signed: the certificate is not in any trust store, which pdfsig says apart from the signature
    assert.match(report, /Certificate Validation: Certificate issuer is unknown\./);
    const text = readFileSync(path.join(workDir, 'signed.pdf')).toString('latin1');
    assert.match(text, /\/Reason \(Final radiology report\)/);
    assert.equal(signatureText(text, 'Name'), 'Д-р Ана Хорват (Horvát)');
    assert.equal(signatureText(text, 'Location'), input.facility.name);
    console.log(`render + sign of a 3-page report with 4 key images: ${Math.round(elapsed)} ms`);

    // The binary comment on line 2 (PDF 32000 7.5.2): changing it alters no page, only the signed bytes
    const tampered = Buffer.from(signed);
    tampered[10] = tampered[10]! ^ 0x01;
    assert.match(pdfsig(tampered, 'tampered.pdf'), /Signature Validation: Digest Mismatch\./);
    // And a byte of the visible text's stream, in the middle of the first signed range
    const inText = Buffer.from(signed);
    const middle = Math.floor(signed.indexOf('/ByteRange') / 2);
    inText[middle] = inText[middle]! ^ 0x01;
    assert.doesNotMatch(pdfsig(inText, 'tampered-2.pdf'), /Signature is Valid/);
  });

  it('makes the facility certificate once, keeps it readable by its owner only, and reuses it', async () => {
    const dataDir = mkdtempSync(path.join(workDir, 'data-'));
    const [first, concurrent] = await Promise.all([facilitySigner(dataDir, 'fac-a', 'Городская больница №1'), facilitySigner(dataDir, 'fac-a', 'Городская больница №1')]);
    const again = await facilitySigner(dataDir, 'fac-a', 'Городская больница №1');
    assert.equal(concurrent.certificate.sha256Fingerprint, first.certificate.sha256Fingerprint);
    assert.equal(again.certificate.sha256Fingerprint, first.certificate.sha256Fingerprint);
    assert.equal(first.certificate.subject, 'CN=Городская больница №1, O=Городская больница №1');
    assert.ok(first.certificate.selfSigned);
    const years = (first.certificate.notAfter.getTime() - first.certificate.notBefore.getTime()) / (365.25 * 86_400_000);
    assert.ok(years > 4.99 && years < 5.01, `validity ${years} years`);
    const paths = facilitySigningCertificatePaths(dataDir, 'fac-a');
    assert.equal(statSync(paths.p12).mode & 0o777, 0o600);
    assert.equal(statSync(paths.passphrase).mode & 0o777, 0o600);
    // The PKCS#12 is encrypted: OpenSSL opens it with the passphrase beside it, not without
    const passphrase = readFileSync(paths.passphrase, 'utf8').trim();
    execFileSync('openssl', ['pkcs12', '-in', paths.p12, '-nokeys', '-passin', `pass:${passphrase}`], { stdio: 'pipe' });
    assert.throws(() => execFileSync('openssl', ['pkcs12', '-in', paths.p12, '-nokeys', '-passin', 'pass:'], { stdio: 'pipe' }));
    const other = await facilitySigner(dataDir, 'fac-b', 'Another facility');
    assert.notEqual(other.certificate.sha256Fingerprint, first.certificate.sha256Fingerprint);
    assert.throws(() => facilitySigningCertificatePaths(dataDir, '../etc/passwd'));
  });

  it("signs with the certificate the hospital's CA issued, once imported", async () => {
    const dataDir = mkdtempSync(path.join(workDir, 'data-'));
    await facilitySigner(dataDir, 'fac-ca', 'Klinika');
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=Hospital Root CA/O=Hospital');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=Klinika Radiology/O=Hospital');
    writeFileSync(path.join(workDir, 'leaf.ext'), 'keyUsage=critical,digitalSignature,nonRepudiation\n');
    openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '30', '-extfile', 'leaf.ext');
    // OpenSSL 3's default PKCS#12: AES-256-CBC with PBKDF2, what a CA hands over today
    openssl('pkcs12', '-export', '-inkey', 'leaf.key', '-in', 'leaf.crt', '-certfile', 'ca.crt', '-out', 'leaf.p12', '-passout', 'pass:ca-secret');
    const p12 = readFileSync(path.join(workDir, 'leaf.p12'));

    await assert.rejects(importFacilitySigningCertificate(dataDir, 'fac-ca', p12, 'wrong'), (error: unknown) => {
      assert.ok(error instanceof DomainError);
      assert.equal(error.code, 'INVALID_INPUT');
      assert.match(error.fields?.certificate ?? '', /wrong passphrase/);
      return true;
    });
    const imported = await importFacilitySigningCertificate(dataDir, 'fac-ca', p12, 'ca-secret');
    assert.equal(imported.subject, 'CN=Klinika Radiology, O=Hospital');
    assert.equal(imported.issuer, 'CN=Hospital Root CA, O=Hospital');
    assert.equal(imported.selfSigned, false);
    const signer = await facilitySigner(dataDir, 'fac-ca', 'Klinika');
    assert.equal(signer.certificate.sha256Fingerprint, imported.sha256Fingerprint);
    const signed = await signReportPdf(await renderReportPdf(await sampleReportInput()), { ...signer, signerName: 'Dr. Ana Horvat', location: 'Klinika' });
    const report = pdfsig(signed, 'ca-signed.pdf');
    assert.match(report, /Signer Certificate Common Name: Klinika Radiology/);
    assert.match(report, /Signature Validation: Signature is Valid\./);
  });

  it('refuses a certificate that has expired or is not a PKCS#12 file', async () => {
    const dataDir = mkdtempSync(path.join(workDir, 'data-'));
    // OpenSSL 3.0 cannot backdate a certificate from the command line; forge can
    const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
    const old = forge.pki.createCertificate();
    old.publicKey = keys.publicKey;
    old.serialNumber = '01';
    old.validity.notBefore = new Date('2020-01-01T00:00:00Z');
    old.validity.notAfter = new Date('2021-01-01T00:00:00Z');
    old.setSubject([{ name: 'commonName', value: 'Old' }]);
    old.setIssuer([{ name: 'commonName', value: 'Old' }]);
    old.sign(keys.privateKey, forge.md.sha256.create());
    const oldP12 = forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(keys.privateKey, [old], 'x', { algorithm: 'aes256' })).getBytes();
    writeFileSync(path.join(workDir, 'old.p12'), Buffer.from(oldP12, 'binary'));
    await assert.rejects(importFacilitySigningCertificate(dataDir, 'fac-old', readFileSync(path.join(workDir, 'old.p12')), 'x'), /expired/);
    await assert.rejects(importFacilitySigningCertificate(dataDir, 'fac-old', Buffer.from('not a certificate'), 'x'), /not a readable PKCS#12/);
  });
});
