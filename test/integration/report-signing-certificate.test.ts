// A facility admin replaces the facility's self-signed report signing
// certificate with one a hospital CA issued (issue 14), through the admin
// API: PEM certificate and key, or PKCS#12. A key of another certificate, an
// expired certificate and garbage are refused with a 400 naming the problem;
// GET shows subject, issuer, validity, fingerprint; the next signed report
// PDF, as stored in the archive, carries the imported certificate (poppler's
// pdfsig names its subject), and its SR names the facility's report language
// (TID 1204). A running node (SQLite, or PostgreSQL with
// TEST_DATABASE=postgres); the CA is made here with node-forge.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import dcmjs from 'dcmjs';
import forge from 'node-forge';
import { GET as viewRoute, PUT as importRoute } from '../../app/api/admin/facilities/[facilityId]/report-signing-certificate/route';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import { SESSION_COOKIE_NAME, createSession, hashPassword } from '../../lib/auth';
import { updateFacility } from '../../lib/facilities/update-facility';
import { createUser } from '../../lib/policy/test-fixtures';
import type { Principal } from '../../lib/policy/principal';
import { createReport } from '../../lib/reports/create-report';
import { saveDraft } from '../../lib/reports/save-draft';
import { signReport } from '../../lib/reports/sign-report';
import { signedArtifactsProducer } from '../../lib/reports/signed-artifacts';
import { getRuntime } from '../../lib/runtime';
import { makeStudy } from '../support/fixtures';
import { startTestServer, TEST_ADMIN_EMAIL, type TestServer } from '../support/test-server';

const PASSWORD = 'certificate import password';
const noPdfsig = spawnSync('pdfsig', ['-v'], { stdio: 'ignore' }).error !== undefined && !process.env.CI ? 'not installed: pdfsig (apt-get install -y poppler-utils)' : undefined;

type Issued = { certificatePem: string; keyPem: string; der: Buffer };

/** A certificate for `commonName` issued by `issuer` (or self-signed), RSA 2048, valid in [from, until] */
function issue(commonName: string, options: { issuer?: { certificate: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey }; from?: Date; until?: Date; ca?: boolean } = {}) {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(8));
  certificate.validity.notBefore = options.from ?? new Date(Date.now() - 86_400_000);
  certificate.validity.notAfter = options.until ?? new Date(Date.now() + 365 * 86_400_000);
  certificate.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'Valley Health Trust' }]);
  certificate.setIssuer((options.issuer?.certificate ?? certificate).subject.attributes);
  certificate.setExtensions(
    options.ca
      ? [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]
      : [{ name: 'basicConstraints', cA: false }, { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true }],
  );
  certificate.sign(options.issuer?.key ?? keys.privateKey, forge.md.sha256.create());
  const issued: Issued = {
    certificatePem: forge.pki.certificateToPem(certificate),
    keyPem: forge.pki.privateKeyToPem(keys.privateKey),
    der: Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(certificate)).getBytes(), 'binary'),
  };
  return { certificate, key: keys.privateKey, issued };
}

describe('importing a CA-issued report signing certificate', () => {
  let server: TestServer;
  let tempDir: string;
  let facilityId: string;
  let ca: ReturnType<typeof issue>;
  let leaf: ReturnType<typeof issue>;
  const people: Record<string, Principal> = {};

  async function call(method: 'GET' | 'PUT', who: string, body?: unknown): Promise<Response> {
    const url = new URL(`/api/admin/facilities/${facilityId}/report-signing-certificate`, server.url);
    const { token } = await createSession(server.node.db, { userId: people[who].userId, ttlHours: 1 });
    const headers = { origin: url.origin, host: url.host, cookie: `${SESSION_COOKIE_NAME}=${token}`, 'content-type': 'application/json' };
    const request = new Request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return (method === 'GET' ? viewRoute : importRoute)(request, { params: Promise.resolve({ facilityId }) });
  }
  async function refusedWith(body: unknown): Promise<Record<string, string>> {
    const response = await call('PUT', 'admin', body);
    assert.equal(response.status, 400);
    return ((await response.json()) as { fields: Record<string, string> }).fields;
  }

  before(async () => {
    server = await startTestServer();
    tempDir = mkdtempSync(path.join(tmpdir(), 'telepacs-certificate-'));
    const db = server.node.db;
    const admin = await db.user.findUniqueOrThrow({ where: { email: TEST_ADMIN_EMAIL } });
    facilityId = (await db.membership.findFirstOrThrow({ where: { userId: admin.id, role: 'ADMIN' } })).facilityId;
    people.admin = { userId: admin.id, email: admin.email, ip: '10.6.0.1' };
    const expert = await createUser(db, { email: 'expert@certificate.example', passwordHash: await hashPassword(PASSWORD), memberships: [{ facilityId, role: 'EXPERT' }] });
    people.expert = { userId: expert.id, email: expert.email, ip: '10.6.0.2' };
    ca = issue('Valley Health Trust Issuing CA', { ca: true });
    leaf = issue('Valley Hospital Report Signing', { issuer: ca });
  });
  after(async () => {
    await auditQueueFor(getRuntime()).flush(true);
    await server?.stop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  it('is for facility admins only: others get 404', async () => {
    assert.equal((await call('GET', 'expert')).status, 404);
    assert.equal((await call('PUT', 'expert', { format: 'pem', certificate: leaf.issued.certificatePem, privateKey: leaf.issued.keyPem })).status, 404);
  });

  it('refuses a key of another certificate, an expired certificate and garbage with a 400 saying why', async () => {
    const other = issue('Someone Else');
    assert.match((await refusedWith({ format: 'pem', certificate: leaf.issued.certificatePem, privateKey: other.issued.keyPem })).privateKey, /does not belong to the certificate/);
    const expired = issue('Valley Hospital 2019', { issuer: ca, from: new Date('2019-01-01'), until: new Date('2020-01-01') });
    assert.match((await refusedWith({ format: 'pem', certificate: expired.issued.certificatePem, privateKey: expired.issued.keyPem })).certificate, /expired/);
    assert.match((await refusedWith({ format: 'pem', certificate: 'hello', privateKey: leaf.issued.keyPem })).certificate, /not a PEM certificate/);
    assert.match((await refusedWith({ format: 'pem', certificate: leaf.issued.certificatePem, privateKey: 'hello' })).privateKey, /not an unencrypted RSA private key/);
    assert.match((await refusedWith({ format: 'pkcs12', pkcs12: Buffer.from('not a p12').toString('base64'), passphrase: 'x' })).certificate, /PKCS#12|passphrase/);
  });

  it('imports the PEM certificate and key; GET shows it; the next signed PDF carries it, its SR the facility’s language', { skip: noPdfsig }, async () => {
    const imported = await call('PUT', 'admin', { format: 'pem', certificate: leaf.issued.certificatePem + ca.issued.certificatePem, privateKey: leaf.issued.keyPem });
    assert.equal(imported.status, 200, await imported.clone().text());
    const shown = ((await (await call('GET', 'admin')).json()) as { certificate: { subject: string; issuer: string; selfSigned: boolean; sha256Fingerprint: string; notAfter: string } }).certificate;
    assert.equal(shown.subject, 'CN=Valley Hospital Report Signing, O=Valley Health Trust');
    assert.equal(shown.issuer, 'CN=Valley Health Trust Issuing CA, O=Valley Health Trust');
    assert.equal(shown.selfSigned, false);
    assert.equal(shown.sha256Fingerprint, createHash('sha256').update(leaf.issued.der).digest('hex'));
    await auditQueueFor(getRuntime()).flush();
    const audit = await server.node.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.facility.signing_certificate', facilityId } });
    assert.equal(JSON.parse(audit.details ?? '{}').sha256Fingerprint, shown.sha256Fingerprint);

    await updateFacility(getRuntime(), people.admin, facilityId, { reportLanguage: 'ru' });
    const study = makeStudy({ patientId: 'CERT-1', series: 1, instancesPerSeries: 1, seed: 'certificate-import', modality: 'CT' });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'import', source: 'certificate-test' }, facilityId);
    const template = await server.node.db.reportTemplate.findFirstOrThrow({ where: { name: 'CT chest', facilityId: null } });
    const { report } = await createReport(getRuntime(), people.expert, study.studyInstanceUid, { templateId: template.id });
    const saved = await saveDraft(getRuntime(), people.expert, report.id, { baseRevision: report.revision, sections: [{ key: 'impression', text: 'No acute abnormality.' }] });
    await signReport({ ...getRuntime(), produceSignedArtifacts: signedArtifactsProducer(getRuntime()) }, people.expert, report.id, { baseRevision: saved.revision, password: PASSWORD });

    const version = await server.node.db.reportVersion.findFirstOrThrow({ where: { reportId: report.id, version: 1 } });
    const { pdfSopInstanceUid, srSopInstanceUid } = JSON.parse(version.artifacts!) as { pdfSopInstanceUid: string; srSopInstanceUid: string };
    const stored = async (sopInstanceUid: string) => {
      const instance = await server.node.db.instance.findFirstOrThrow({ where: { sopInstanceUid }, select: { blobKey: true } });
      return dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(new Uint8Array(await server.node.archive.store.get(instance.blobKey)).buffer).dict);
    };
    type Item = { ConceptNameCodeSequence?: { CodeValue: string }[]; ConceptCodeSequence?: { CodeValue: string; CodeMeaning: string }[] };
    const sr = (await stored(srSopInstanceUid)) as { ContentSequence: Item[] };
    const language = sr.ContentSequence.find((item) => item.ConceptNameCodeSequence?.[0].CodeValue === '121049')?.ConceptCodeSequence?.[0];
    assert.deepEqual([language?.CodeValue, language?.CodeMeaning], ['ru', 'Russian'], 'Language of Content Item and Descendants');
    const dataset = (await stored(pdfSopInstanceUid)) as { EncapsulatedDocument: ArrayBuffer[]; EncapsulatedDocumentLength: number };
    const pdfFile = path.join(tempDir, 'report.pdf');
    writeFileSync(pdfFile, Buffer.from(dataset.EncapsulatedDocument[0]).subarray(0, Number(dataset.EncapsulatedDocumentLength)));
    const sig = spawnSync('pdfsig', [pdfFile], { encoding: 'utf8' });
    assert.match(sig.stdout, /Signer Certificate Common Name: Valley Hospital Report Signing/, sig.stdout + sig.stderr);
    assert.match(sig.stdout, /Signature Validation: Signature is Valid\./);
  });
});
