// The DIMSE door's decision, with a fake resolver: AE title, then the calling
// address against the registered host (the DCMTK tests in
// test/integration/dimse-door.test.ts run the same rules over the network).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownDicomPeer } from '../dicom-peers/find-dicom-peer';
import { createHostResolver, normalizeIpAddress } from '../dicom-peers/peer-host-addresses';
import { authorizeDicomAssociation } from './dicom-association';

function peer(overrides: Partial<KnownDicomPeer>): KnownDicomPeer {
  return { aet: 'CT1', host: '10.9.9.9', port: 104, anyAddress: false, tls: false, requireClientCertificate: false, facilityId: 'north', source: 'database', ...overrides };
}

const HOSTS: Record<string, string[]> = { 'ct.north.example': ['10.0.0.5', 'fd00::5'], 'mapped.example': ['::ffff:10.0.0.6'] };
const resolveHost = createHostResolver({
  lookupAll: async (host) => {
    const addresses = HOSTS[host];
    if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address }));
  },
});

function decide(registered: KnownDicomPeer | null, remoteAddress: string, callingAet = 'CT1') {
  return authorizeDicomAssociation({ findPeer: async () => registered, resolveHost }, { callingAet, calledAet: 'TELEPACS', remoteAddress, secure: false, clientCertificateAuthorized: false });
}

describe('authorizeDicomAssociation', () => {
  it('grants a registered AE calling from its registered address, with its facility as store and read scope', async () => {
    const decision = await decide(peer({ host: '10.9.9.9' }), '::ffff:10.9.9.9');
    assert.deepEqual(decision, { accepted: true, grant: { facilityId: 'north', readScope: { kind: 'facilities', facilityIds: ['north'] }, peerLabel: 'AE:CT1' } });
  });

  it('refuses a registered AE calling from another address, naming the peer facility for the audit trail', async () => {
    const decision = await decide(peer({ host: '10.9.9.9' }), '::ffff:127.0.0.1');
    assert.equal(decision.accepted, false);
    assert.ok(!decision.accepted);
    assert.equal(decision.reason, 'calling address is not the registered host');
    assert.equal(decision.facilityId, 'north');
    assert.deepEqual(decision.details, { host: '10.9.9.9', hostAddresses: ['10.9.9.9'] });
  });

  it('accepts every address a host name resolves to, IPv4 and IPv6, and nothing else', async () => {
    const named = peer({ host: 'ct.north.example' });
    assert.equal((await decide(named, '10.0.0.5')).accepted, true);
    assert.equal((await decide(named, 'FD00:0:0:0:0:0:0:5')).accepted, true);
    assert.equal((await decide(named, '10.0.0.7')).accepted, false);
    assert.equal((await decide(peer({ host: 'mapped.example' }), '::ffff:10.0.0.6')).accepted, true);
    assert.equal((await decide(peer({ host: '[fd00::9]' }), 'fd00::9')).accepted, true);
  });

  it('refuses when the registered host cannot be resolved, and says so for the log', async () => {
    const decision = await decide(peer({ host: 'gone.example' }), '10.0.0.5');
    assert.ok(!decision.accepted);
    assert.equal(decision.reason, 'registered host could not be resolved');
    assert.match(String(decision.details?.error), /ENOTFOUND/);
  });

  it('skips the address check only for a peer an administrator marked "any address"', async () => {
    assert.equal((await decide(peer({ host: '10.9.9.9', anyAddress: true }), '192.0.2.44')).accepted, true);
  });

  it('refuses an unknown AE title without naming any facility', async () => {
    assert.deepEqual(await decide(null, '10.9.9.9', 'STRANGER'), { accepted: false, reason: 'calling AE title not recognized' });
  });
});

describe('host resolution for the address check', () => {
  it('writes each address one way: IPv4-mapped IPv6 as IPv4, IPv6 compressed lower-case, no zone', () => {
    assert.equal(normalizeIpAddress('::ffff:10.0.0.5'), '10.0.0.5');
    assert.equal(normalizeIpAddress('0:0:0:0:0:ffff:a00:5'), '10.0.0.5');
    assert.equal(normalizeIpAddress('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(normalizeIpAddress('[FD00::0005]'), 'fd00::5');
    assert.equal(normalizeIpAddress('fe80::1%eth0'), 'fe80::1');
    assert.equal(normalizeIpAddress('ct.north.example'), '');
  });

  it('asks the resolver once per host within the cache time, and again after it', async () => {
    let clock = 0;
    let lookups = 0;
    const resolve = createHostResolver({
      now: () => clock,
      lookupAll: async () => {
        lookups += 1;
        return [{ address: '10.0.0.5' }];
      },
    });
    await Promise.all([resolve('ct.example'), resolve('CT.example'), resolve('ct.example')]);
    assert.equal(lookups, 1);
    clock += 61_000;
    assert.deepEqual(await resolve('ct.example'), { ok: true, addresses: ['10.0.0.5'] });
    assert.equal(lookups, 2);
    assert.deepEqual(await resolve('10.0.0.9'), { ok: true, addresses: ['10.0.0.9'] });
    assert.equal(lookups, 2, 'an IP literal is never looked up');
  });

  it('resolves localhost with the system resolver', async () => {
    const answer = await createHostResolver()('localhost');
    assert.ok(answer.ok && answer.addresses.includes('127.0.0.1'), JSON.stringify(answer));
  });
});
