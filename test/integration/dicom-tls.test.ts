// DICOM TLS (PS3.15 Annex B) with DCMTK on both sides: echoscu/storescu/movescu
// `+tls` into our TLS port, verifying our certificate with `+cf`; the per-peer
// rules (a TLS peer on the plain port, a client certificate required); and our
// C-STORE SCU (archive.sendTo, C-MOVE) and C-ECHO SCU into `storescp +tls`,
// verifying its certificate. Certificates are made by openssl in a temp dir.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasDcmtk, makeStudy } from '../support/fixtures';
import { echoscu, freePort, movescu, startStorescp, storescu, writeTempFiles, type DcmtkTls, type RunningStorescp } from '../support/dcmtk';
import { createTestPki, type TestPki } from '../support/test-pki';
import { startTestServer, type TestServer } from '../support/test-server';
import { echoPeer } from '../../pacs-core/dimse/echo';
import type { DicomTlsCredentials } from '../../pacs-core/dimse/tls';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const TLS_SCU = 'TLS_SCU';
const CERT_SCU = 'CERT_SCU';
const PLAIN_SCU = 'PLAIN_SCU';
const TLS_DEST = 'TLS_DEST';

describe('DICOM TLS (DCMTK both ways)', { skip }, () => {
  let pki: TestPki;
  let rogue: TestPki;
  let server: TestServer;
  let storescp: RunningStorescp;
  /** What a modality holding a certificate of our CA passes to DCMTK */
  let modalityTls: Required<DcmtkTls>;
  let ourCredentials: DicomTlsCredentials;
  const tlsPeer = () => ({ port: server.dicomTlsPort ?? 0, aet: 'TELEPACS' });
  const plainPeer = () => ({ port: server.dicomPort, aet: 'TELEPACS' });

  async function deniedAssociation(aet: string) {
    const row = await server.node.db.auditEvent.findFirst({ where: { actor: `AE:${aet}`, action: 'dimse.associate', outcome: 'DENIED' }, orderBy: { at: 'desc' } });
    return row && { ...row, details: JSON.parse(row.details) as Record<string, unknown> };
  }

  before(async () => {
    pki = createTestPki();
    rogue = createTestPki('Rogue CA');
    const ours = pki.issue('TELEPACS');
    const modality = pki.issue(TLS_SCU);
    const destination = pki.issue(TLS_DEST);
    modalityTls = { ca: pki.ca, ...modality };
    ourCredentials = { cert: pki.read(ours.cert), key: pki.read(ours.key), ca: pki.read(pki.ca) };
    storescp = await startStorescp({ aet: TLS_DEST, tls: { ca: pki.ca, ...destination } });
    const unused = await freePort();
    server = await startTestServer({
      env: {
        DICOM_TLS_PORT: '0',
        DICOM_TLS_CERT: ours.cert,
        DICOM_TLS_KEY: ours.key,
        DICOM_TLS_CA: pki.ca,
        DICOM_PEERS: [`${TLS_SCU}@127.0.0.1:${unused}+tls`, `${CERT_SCU}@127.0.0.1:${unused}+client-cert`, `${PLAIN_SCU}@127.0.0.1:${unused}`, `${TLS_DEST}@127.0.0.1:${storescp.port}+tls`].join(','),
      },
    });
  });
  after(async () => {
    await server?.stop();
    await storescp?.stop();
    pki?.cleanup();
    rogue?.cleanup();
  });

  it('answers echoscu +tls on the TLS port, and echoscu verifies our certificate against the CA (+cf)', async () => {
    assert.ok(server.dicomTlsPort && server.dicomTlsPort !== server.dicomPort, 'a TLS listener on its own port');
    const result = await echoscu(tlsPeer(), { callingAet: TLS_SCU, tls: modalityTls });
    assert.equal(result.exitCode, 0, result.stderr + result.stdout);
  });

  it('stores images sent with storescu +tls, readable by QIDO-RS', async () => {
    const study = makeStudy({ patientId: 'TLS-STORE-1', accessionNumber: 'TLS1', series: 1, instancesPerSeries: 2, seed: 'dicom-tls-store' });
    const files = writeTempFiles(study);
    try {
      const result = await storescu(tlsPeer(), files.paths, { callingAet: TLS_SCU, tls: modalityTls });
      assert.equal(result.exitCode, 0, result.stderr + result.stdout);
      assert.deepEqual(result.responses.map((response) => response.ok), [true, true]);
    } finally {
      files.cleanup();
    }
    const response = await fetch(`${server.dicomwebUrl}/studies?StudyInstanceUID=${study.studyInstanceUid}`, { headers: { authorization: server.adminAuthorization } });
    assert.equal(response.status, 200);
    const [found] = (await response.json()) as Record<string, { Value?: unknown[] }>[];
    assert.equal(found?.['00201208']?.Value?.[0], 2, 'both instances are indexed');
  });

  it('refuses a TLS peer on the plain port, answering it like an unknown AE, and audits why', async () => {
    const result = await echoscu(plainPeer(), { callingAet: TLS_SCU });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr + result.stdout, /Calling AE Title Not Recognized/i);
    const denied = await deniedAssociation(TLS_SCU);
    assert.match(String(denied?.details.reason), /DICOM TLS required/);
    assert.equal(denied?.facilityId, server.node.firstRun.facilityId, 'audited in the peer facility, where its admin sees it');
  });

  it('refuses a peer that must show a client certificate when it shows none, or one of another CA, and accepts it with ours', async () => {
    const anonymous = await echoscu(tlsPeer(), { callingAet: CERT_SCU, tls: { ca: pki.ca } });
    assert.notEqual(anonymous.exitCode, 0);
    assert.match(anonymous.stderr + anonymous.stdout, /Calling AE Title Not Recognized/i);
    assert.match(String((await deniedAssociation(CERT_SCU))?.details.reason), /client certificate required/);

    const foreign = rogue.issue(CERT_SCU);
    const withForeign = await echoscu(tlsPeer(), { callingAet: CERT_SCU, tls: { ca: pki.ca, ...foreign } });
    assert.notEqual(withForeign.exitCode, 0);
    assert.match(withForeign.stderr + withForeign.stdout, /Calling AE Title Not Recognized/i);
    assert.match(String((await deniedAssociation(CERT_SCU))?.details.clientCertificateSubject), /CN=CERT_SCU/);

    const withOurs = await echoscu(tlsPeer(), { callingAet: CERT_SCU, tls: { ca: pki.ca, ...pki.issue(CERT_SCU) } });
    assert.equal(withOurs.exitCode, 0, withOurs.stderr + withOurs.stdout);
  });

  it('lets a plain peer use the TLS port, even without a certificate', async () => {
    const result = await echoscu(tlsPeer(), { callingAet: PLAIN_SCU, tls: { ca: pki.ca } });
    assert.equal(result.exitCode, 0, result.stderr + result.stdout);
  });

  it('fails the handshake cleanly when the client trusts another CA, and keeps serving', async () => {
    const result = await echoscu(tlsPeer(), { callingAet: TLS_SCU, tls: { ...modalityTls, ca: rogue.ca } });
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr + result.stdout, /certificate verify failed|TLS|SSL/i);
    const again = await echoscu(tlsPeer(), { callingAet: TLS_SCU, tls: modalityTls });
    assert.equal(again.exitCode, 0, again.stderr + again.stdout);
  });

  it('sends a study to storescp +tls (archive.sendTo), presenting our certificate and verifying theirs', async () => {
    const study = makeStudy({ patientId: 'TLS-SEND-1', accessionNumber: 'TLS2', series: 1, instancesPerSeries: 2, seed: 'dicom-tls-send' });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'stow', principalLabel: 'test' }, server.node.firstRun.facilityId);
    const result = await server.node.archive.sendTo({ aet: TLS_DEST, host: '127.0.0.1', port: storescp.port, tls: true }, study.studyInstanceUid);
    assert.equal(result.completed, 2, JSON.stringify(result));
    for (const sop of study.sopInstanceUids[0]) assert.ok(storescp.sopInstanceUids().includes(sop), `${sop} arrived`);
  });

  // Debian's movescu (3.6.7) has no TLS options: the C-MOVE comes over the plain port, its sub-operations go over TLS
  it('moves a study to a TLS destination over TLS (C-MOVE)', async () => {
    const study = makeStudy({ patientId: 'TLS-MOVE-1', accessionNumber: 'TLS3', series: 1, instancesPerSeries: 2, seed: 'dicom-tls-move' });
    const files = writeTempFiles(study);
    try {
      assert.equal((await storescu(plainPeer(), files.paths, { callingAet: PLAIN_SCU })).exitCode, 0);
    } finally {
      files.cleanup();
    }
    const moved = await movescu(plainPeer(), { callingAet: PLAIN_SCU, level: 'STUDY', keys: { StudyInstanceUID: study.studyInstanceUid }, destination: TLS_DEST });
    assert.equal(moved.finalStatus?.code, 0, moved.stderr + moved.stdout);
    assert.equal(moved.counts?.completed, 2);
    for (const sop of study.sopInstanceUids[0]) assert.ok(storescp.sopInstanceUids().includes(sop), `${sop} arrived`);
  });

  it('fails cleanly, sending nothing, to a TLS peer whose certificate is of another CA or names another host', async () => {
    const study = makeStudy({ patientId: 'TLS-WRONG-1', accessionNumber: 'TLS4', series: 1, instancesPerSeries: 1, seed: 'dicom-tls-wrong' });
    for (const file of study) await server.node.archive.ingest(file, { kind: 'stow', principalLabel: 'test' }, server.node.firstRun.facilityId);
    const impostors = [
      await startStorescp({ aet: 'IMPOSTOR', tls: { ca: pki.ca, ...rogue.issue('IMPOSTOR') } }),
      await startStorescp({ aet: 'IMPOSTOR', tls: { ca: pki.ca, ...pki.issue('IMPOSTOR', { hosts: ['pacs.elsewhere.example'] }) } }),
    ];
    try {
      for (const impostor of impostors) {
        const result = await server.node.archive.sendTo({ aet: 'IMPOSTOR', host: '127.0.0.1', port: impostor.port, tls: true }, study.studyInstanceUid);
        assert.deepEqual({ completed: result.completed, failed: result.failed }, { completed: 0, failed: 1 });
        assert.deepEqual(impostor.files(), []);
        const echo = await echoPeer({ aet: 'IMPOSTOR', host: '127.0.0.1', port: impostor.port, tls: true }, { callingAet: 'TELEPACS', tls: ourCredentials });
        assert.equal(echo.ok, false);
        assert.match(echo.ok ? '' : echo.error, /^TLS: the peer's certificate was not accepted/);
      }
    } finally {
      for (const impostor of impostors) await impostor.stop();
    }
  });

  it('C-ECHOes a TLS peer over TLS (the admin page test), and never in the clear without our credentials', async () => {
    const peer = { aet: TLS_DEST, host: '127.0.0.1', port: storescp.port, tls: true };
    const ok = await echoPeer(peer, { callingAet: 'TELEPACS', tls: ourCredentials });
    assert.equal(ok.ok, true, ok.ok ? '' : ok.error);
    const off = await echoPeer(peer, { callingAet: 'TELEPACS' });
    assert.deepEqual(off.ok ? off : off.error, 'the peer uses DICOM TLS, which is not configured on this server (DICOM_TLS_PORT)');
  });
});
