// DICOM peers registered by admins, next to DICOM_PEERS, on a real database.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';
import { silentLogger } from '../../pacs-core/logger';
import { loadConfig } from '../config/config';
import { isAdminError } from '../admin/errors';
import type { AdminContext } from '../admin/context';
import { isPolicyError } from '../policy';
import { createFacility, createUser } from '../policy/test-fixtures';
import { createServer, type Server } from 'node:net';
import { freePort, hasDcmtk, startStorescp } from '../../test/support/dcmtk';
import { echoDicomPeer } from './echo-dicom-peer';
import { findDicomPeer } from './find-dicom-peer';
import { listDicomPeers } from './list-dicom-peers';
import { DICOM_TLS_OFF_MESSAGE, deleteDicomPeer, saveDicomPeer } from './save-dicom-peer';

describe('DICOM peers', () => {
  let testDb: TestDatabase;
  let context: AdminContext;
  before(async () => {
    testDb = await createTestDatabase();
    context = { db: testDb.db, logger: silentLogger, config: loadConfig({ DATA_DIR: testDb.dataDir, DICOM_PEERS: 'CT1@10.0.0.5:104' }) };
  });
  after(async () => {
    await testDb.cleanup();
  });

  async function adminOf(name: string) {
    const facility = await createFacility(testDb.db, name);
    const user = await createUser(testDb.db, { memberships: [{ facilityId: facility.id, role: 'ADMIN' }] });
    return { facility, actor: { userId: user.id, email: user.email, ip: '10.0.0.1' } };
  }

  it('validates AE title, host and port with a message per field, and refuses titles already in use anywhere', async () => {
    const { facility, actor } = await adminOf('North');
    await assert.rejects(saveDicomPeer(context, actor, facility.id, undefined, { aet: 'TOO_LONG_AE_TITLE_X', host: 'bad host!', port: '0' }), (error: unknown) => {
      assert.ok(isAdminError(error) && error.code === 'INVALID_INPUT');
      assert.deepEqual(Object.keys(error.fields).sort(), ['aet', 'host', 'port']);
      return true;
    });
    for (const aet of ['CT1', 'TELEPACS']) {
      await assert.rejects(saveDicomPeer(context, actor, facility.id, undefined, { aet, host: '10.0.0.9', port: 104 }), (error: unknown) => isAdminError(error) && error.code === 'CONFLICT');
    }
    const saved = await saveDicomPeer(context, actor, facility.id, undefined, { aet: ' MR_NORTH ', host: '[fd00::7]', port: '11112', description: 'MR' });
    assert.deepEqual([saved.aet, saved.host, saved.port], ['MR_NORTH', 'fd00::7', 11112]);
    const south = await adminOf('South');
    await assert.rejects(saveDicomPeer(context, south.actor, south.facility.id, undefined, { aet: 'MR_NORTH', host: 'pacs.south.example', port: 104 }), (error: unknown) => isAdminError(error) && error.code === 'CONFLICT');
    // Another facility's admin can neither change nor delete it.
    await assert.rejects(saveDicomPeer(context, south.actor, south.facility.id, saved.id, { aet: 'MR_NORTH', host: '10.6.6.6', port: 104 }), (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND');
    await assert.rejects(deleteDicomPeer(context, south.actor, facility.id, saved.id), (error: unknown) => isPolicyError(error) && error.code === 'NOT_FOUND');
    const updated = await saveDicomPeer(context, actor, facility.id, saved.id, { aet: 'MR_NORTH', host: 'mr.north.example', port: 104 });
    assert.equal(updated.host, 'mr.north.example');
  });

  it('finds a peer for the DIMSE server: DICOM_PEERS first (home facility), then the database (its facility)', async () => {
    const { facility, actor } = await adminOf('East');
    await saveDicomPeer(context, actor, facility.id, undefined, { aet: 'US_EAST', host: '10.1.1.1', port: 104 });
    const options = { configuredPeers: context.config.dicomPeers, homeFacilityId: 'home-facility' };
    assert.deepEqual(await findDicomPeer(testDb.db, options, 'CT1'), { aet: 'CT1', host: '10.0.0.5', port: 104, anyAddress: false, tls: false, requireClientCertificate: false, facilityId: 'home-facility', source: 'configuration' });
    assert.deepEqual(await findDicomPeer(testDb.db, options, 'US_EAST '), { aet: 'US_EAST', host: '10.1.1.1', port: 104, anyAddress: false, tls: false, requireClientCertificate: false, facilityId: facility.id, source: 'database' });
    assert.equal(await findDicomPeer(testDb.db, options, 'UNKNOWN'), null);
    assert.equal(await findDicomPeer(testDb.db, options, '   '), null);
    assert.deepEqual((await listDicomPeers(testDb.db, context.config.dicomPeers, facility.id)).map((peer) => peer.aet), ['US_EAST']);
  });

  it('refuses a TLS peer while DICOM TLS is off, with a message on the TLS field', async () => {
    const { facility, actor } = await adminOf('West');
    for (const flags of [{ tls: true }, { requireClientCertificate: true }]) {
      await assert.rejects(saveDicomPeer(context, actor, facility.id, undefined, { aet: 'CT_WEST', host: '10.2.2.2', port: 104, ...flags }), (error: unknown) => {
        assert.ok(isAdminError(error) && error.code === 'INVALID_INPUT');
        assert.deepEqual(error.fields, { tls: DICOM_TLS_OFF_MESSAGE });
        return true;
      });
    }
    assert.equal(await testDb.db.dicomPeer.count({ where: { aet: 'CT_WEST' } }), 0);
  });

  it('saves and lists the TLS choices when DICOM TLS is on; a client certificate implies TLS', async () => {
    // Only whether DICOM TLS is configured matters to saving; the listener is not started here.
    const withTls: AdminContext = { ...context, config: { ...context.config, dicomTls: { port: 2762 } as AdminContext['config']['dicomTls'] } };
    const { facility, actor } = await adminOf('Harbour');
    const saved = await saveDicomPeer(withTls, actor, facility.id, undefined, { aet: 'CT_HARBOUR', host: '10.3.3.3', port: 104, tls: false, requireClientCertificate: true });
    assert.deepEqual([saved.tls, saved.requireClientCertificate], [true, true]);
    const plain = await saveDicomPeer(withTls, actor, facility.id, saved.id, { aet: 'CT_HARBOUR', host: '10.3.3.3', port: 104, tls: true });
    assert.deepEqual([plain.tls, plain.requireClientCertificate], [true, false]);
    const [listed] = await listDicomPeers(testDb.db, [], facility.id);
    assert.deepEqual([listed.tls, listed.requireClientCertificate], [true, false]);
    const found = await findDicomPeer(testDb.db, { configuredPeers: [], homeFacilityId: 'home-facility' }, 'CT_HARBOUR');
    assert.deepEqual([found?.tls, found?.requireClientCertificate], [true, false]);
    const audit = await testDb.db.auditEvent.findFirst({ where: { action: 'admin.update_dicom_peer', resource: `dicom-peer:${saved.id}` } });
    assert.deepEqual(JSON.parse(audit?.details ?? '{}'), { aet: 'CT_HARBOUR', host: '10.3.3.3', port: 104, tls: true, requireClientCertificate: false, anyAddress: false });
  });

  it('keeps "any address" off unless the administrator ticks it, lists it and audits the choice', async () => {
    const { facility, actor } = await adminOf('Westgate');
    const plain = await saveDicomPeer(context, actor, facility.id, undefined, { aet: 'CT_WEST', host: '10.2.2.2', port: 104 });
    assert.equal(plain.anyAddress, false);
    const open = await saveDicomPeer(context, actor, facility.id, undefined, { aet: 'US_WEST', host: '10.2.2.3', port: 104, anyAddress: true });
    assert.equal(open.anyAddress, true);
    await assert.rejects(saveDicomPeer(context, actor, facility.id, undefined, { aet: 'MR_WEST', host: '10.2.2.4', port: 104, anyAddress: 'yes' }), (error: unknown) => {
      assert.ok(isAdminError(error) && error.code === 'INVALID_INPUT');
      assert.deepEqual(Object.keys(error.fields), ['anyAddress']);
      return true;
    });
    const listed = await listDicomPeers(testDb.db, [], facility.id);
    assert.deepEqual(listed.map((peer) => [peer.aet, peer.anyAddress]), [['CT_WEST', false], ['US_WEST', true]]);
    const audit = await testDb.db.auditEvent.findFirstOrThrow({ where: { action: 'admin.create_dicom_peer', resource: `dicom-peer:${open.id}` } });
    assert.equal(JSON.parse(audit.details).anyAddress, true);
  });

  it('answers a C-ECHO with DICOM success or failure only: a closed port, a non-DICOM service and a silent one look the same', async () => {
    const { facility, actor } = await adminOf('Probe');
    const notDicom: Server = createServer((socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const silent: Server = createServer(() => {});
    await Promise.all([notDicom, silent].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    try {
      const targets = { CLOSED_PORT: await freePort(), WEB_SERVICE: (notDicom.address() as { port: number }).port, SILENT_SERVICE: (silent.address() as { port: number }).port };
      for (const [aet, port] of Object.entries(targets)) {
        const saved = await saveDicomPeer(context, actor, facility.id, undefined, { aet, host: '127.0.0.1', port });
        const started = Date.now();
        const result = await echoDicomPeer(context, actor, facility.id, { id: saved.id }, { timeoutMs: 400 });
        assert.deepEqual(result, { ok: false, outcome: 'no-dicom-answer', message: 'No DICOM answer from this peer', aet, host: '127.0.0.1', port });
        // Nor does the time to answer tell an open port from a closed one
        assert.ok(Date.now() - started >= 400, `${aet} answered after ${Date.now() - started} ms`);
      }
      const audited = await testDb.db.auditEvent.findMany({ where: { action: 'admin.echo_dicom_peer', facilityId: facility.id } });
      assert.equal(audited.length, 3);
      for (const event of audited) {
        assert.equal(JSON.parse(event.details).outcome, 'no-dicom-answer');
        assert.doesNotMatch(event.details, /refused|listen|reach|timed out|HTTP|PDU/i);
      }
    } finally {
      notDicom.close();
      silent.close();
    }
  });

  it('says whether a real DICOM peer accepted the C-ECHO or refused the association', { skip: hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK' }, async () => {
    const { facility, actor } = await adminOf('Echo');
    const accepting = await startStorescp({ aet: 'ECHO_OK' });
    const refusing = await startStorescp({ aet: 'ECHO_NO', extraArgs: ['--refuse'] });
    try {
      const ok = await saveDicomPeer(context, actor, facility.id, undefined, { aet: 'ECHO_OK', host: '127.0.0.1', port: accepting.port });
      const no = await saveDicomPeer(context, actor, facility.id, undefined, { aet: 'ECHO_NO', host: '127.0.0.1', port: refusing.port });
      const success = await echoDicomPeer(context, actor, facility.id, { id: ok.id });
      assert.equal(success.ok, true);
      assert.equal(success.message, `C-ECHO succeeded in ${success.echoMs} ms`);
      const refused = await echoDicomPeer(context, actor, facility.id, { id: no.id });
      assert.deepEqual([refused.ok, refused.outcome, refused.message], [false, 'association-rejected', 'The peer refused the association']);
    } finally {
      await accepting.stop();
      await refusing.stop();
    }
  });
});
