// Who may associate: a registered AE title is not enough, the peer must call
// from its registered host (or be deliberately open to any address). DCMTK
// as the real client; the refusal must look exactly like an unknown AE title
// to the caller and be audited in the peer's own facility.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { echoPeer } from '../../pacs-core/dimse/echo';
import { createFacility } from '../../lib/policy/test-fixtures';
import { hasDcmtk, makeInstance } from '../support/fixtures';
import { echoscu, freePort, storescu, writeTempFiles } from '../support/dcmtk';
import { startTestServer, type TestServer } from '../support/test-server';

const skip = hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK (apt-get install -y dcmtk)';
const UNKNOWN_AE_ANSWER = /Association Rejected[\s\S]*Calling AE Title Not Recognized/i;

describe('DIMSE door: the calling address must be the registered host (DCMTK clients)', { skip }, () => {
  let server: TestServer;
  let northId: string;
  const us = () => ({ port: server.dicomPort, aet: 'TELEPACS' });

  before(async () => {
    server = await startTestServer({ env: { DICOM_PEERS: `CONFIG_FAR@10.9.9.9:${await freePort()},CONFIG_NEAR@127.0.0.1:${await freePort()}` } });
    northId = (await createFacility(server.node.db, 'North')).id;
  });
  after(async () => {
    await server?.stop();
  });

  const registerPeer = (aet: string, host: string, anyAddress = false) => server.node.db.dicomPeer.create({ data: { facilityId: northId, aet, host, port: 104, anyAddress } });
  const deniedFor = (aet: string) => server.node.db.auditEvent.findMany({ where: { actor: `AE:${aet}`, action: 'dimse.associate', outcome: 'DENIED' } });

  it('refuses a registered AE calling from another address exactly as an unknown AE, and audits it in the peer facility', async () => {
    await registerPeer('NORTH_CT', '127.0.0.2');
    const known = await echoscu(us(), { callingAet: 'NORTH_CT' });
    const unknown = await echoscu(us(), { callingAet: 'NOBODY_HERE' });
    assert.notEqual(known.exitCode, 0);
    assert.match(known.stderr + known.stdout, UNKNOWN_AE_ANSWER);
    // The prober cannot tell a registered title from an unknown one
    const answer = (result: typeof known) => (result.stderr + result.stdout).match(/Association Rejected[^\n]*\n(?:.*\n){0,3}/)?.[0];
    assert.ok(answer(known));
    assert.equal(answer(known), answer(unknown));

    const [denied, ...more] = await deniedFor('NORTH_CT');
    assert.equal(more.length, 0);
    assert.equal(denied.facilityId, northId, "the North facility's admin sees the probe");
    assert.equal(denied.sourceIp.replace(/^::ffff:/, ''), '127.0.0.1');
    const details = JSON.parse(denied.details) as Record<string, unknown>;
    assert.equal(details.reason, 'calling address is not the registered host');
    assert.equal(details.host, '127.0.0.2');
  });

  it('stores nothing from a registered AE calling from another address', async () => {
    await registerPeer('NORTH_MR', '10.9.9.9');
    const temp = writeTempFiles([makeInstance({ patientId: 'DOOR-1', seed: 'dimse-door-store' })]);
    try {
      const result = await storescu(us(), temp.paths, { callingAet: 'NORTH_MR' });
      assert.notEqual(result.exitCode, 0);
      assert.match(result.stderr + result.stdout, UNKNOWN_AE_ANSWER);
    } finally {
      temp.cleanup();
    }
    assert.equal(await server.node.db.patient.count({ where: { patientId: 'DOOR-1' } }), 0);
    assert.equal((await deniedFor('NORTH_MR')).length, 1);
  });

  it('accepts the same peer once an administrator allows any address', async () => {
    await registerPeer('NORTH_US', '10.9.9.9', true);
    const result = await echoscu(us(), { callingAet: 'NORTH_US' });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  it('accepts a peer registered by a host name that resolves to the calling address (localhost)', async () => {
    await registerPeer('NORTH_NAMED', 'localhost');
    const result = await echoscu(us(), { callingAet: 'NORTH_NAMED' });
    assert.equal(result.exitCode, 0, result.stderr);
  });

  it('applies the same check to peers from DICOM_PEERS, audited in the home facility', async () => {
    const far = await echoscu(us(), { callingAet: 'CONFIG_FAR' });
    assert.match(far.stderr + far.stdout, UNKNOWN_AE_ANSWER);
    const [denied] = await deniedFor('CONFIG_FAR');
    assert.equal(denied?.facilityId, server.node.firstRun.facilityId);
    const near = await echoscu(us(), { callingAet: 'CONFIG_NEAR' });
    assert.equal(near.exitCode, 0, near.stderr);
  });

  it('checks IPv6 callers too (::1), when this machine has IPv6 loopback', async (context) => {
    // DCMTK 3.6.7's SCUs take no IPv6 literal: our own C-ECHO SCU (dcmjs-dimse) is the client here
    await registerPeer('NORTH_V6', '::1');
    await registerPeer('NORTH_V4_ONLY', '127.0.0.1');
    const v6 = await echoPeer({ aet: 'TELEPACS', host: '::1', port: server.dicomPort }, { callingAet: 'NORTH_V6' });
    if (!v6.ok && /EADDRNOTAVAIL|ENETUNREACH|ECONNREFUSED/.test(v6.error)) return context.skip('no IPv6 loopback');
    assert.equal(v6.ok, true, JSON.stringify(v6));
    const v4Peer = await echoPeer({ aet: 'TELEPACS', host: '::1', port: server.dicomPort }, { callingAet: 'NORTH_V4_ONLY' });
    assert.equal(v4Peer.ok, false);
    assert.equal((await deniedFor('NORTH_V4_ONLY'))[0]?.facilityId, northId);
  });
});
