import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ConfigError, loadConfig, type Environment } from './config';

function problemsOf(env: Environment): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems;
  }
  assert.fail('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.databaseKind, 'sqlite');
    assert.equal(config.dicomPort, 11112);
    assert.equal(config.dicomAet, 'TELEPACS');
    assert.deepEqual(config.dicomPeers, []);
    assert.equal(config.adminEmail, 'admin@telepacs.local');
    assert.equal(config.adminPassword, undefined);
    assert.equal(config.publicUrl, undefined);
    assert.equal(config.trustProxy, false);
    assert.equal(config.sessionTtlHours, 12);
    assert.deepEqual(config.ice, { stunUrls: [], turnUrls: [], turnCredentials: undefined });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      DATA_DIR: '/var/lib/telepacs',
      DATABASE_URL: 'postgres://telepacs@db:5432/telepacs',
      DICOM_PORT: '104',
      DICOM_AET: 'REGIONAL_PACS',
      DICOM_PEERS: 'CT1@10.0.0.5:104, ORTHANC@orthanc.local:4242+tls,PACS6@[fd00::5]:11112+client-cert+any-address',
      ADMIN_EMAIL: ' Admin@Hospital.Example ',
      ADMIN_PASSWORD: 'correct horse battery',
      PUBLIC_URL: 'https://pacs.hospital.example/',
      TRUST_PROXY: 'true',
      SESSION_TTL_HOURS: '8',
    });
    assert.equal(config.port, 8080);
    assert.equal(config.dataDir, '/var/lib/telepacs');
    assert.equal(config.databaseKind, 'postgres');
    assert.equal(config.dicomPort, 104);
    assert.equal(config.dicomAet, 'REGIONAL_PACS');
    assert.deepEqual(config.dicomPeers, [
      { aet: 'CT1', host: '10.0.0.5', port: 104, anyAddress: false, tls: false, requireClientCertificate: false },
      { aet: 'ORTHANC', host: 'orthanc.local', port: 4242, anyAddress: false, tls: true, requireClientCertificate: false },
      { aet: 'PACS6', host: 'fd00::5', port: 11112, anyAddress: true, tls: true, requireClientCertificate: true },
    ]);
    assert.equal(config.adminEmail, 'admin@hospital.example');
    assert.equal(config.adminPassword, 'correct horse battery');
    assert.equal(config.publicUrl, 'https://pacs.hospital.example');
    assert.equal(config.trustProxy, true);
    assert.equal(config.sessionTtlHours, 8);
  });

  it('resolves a relative DATA_DIR to an absolute path', () => {
    assert.equal(loadConfig({ DATA_DIR: 'var/data' }).dataDir, path.resolve('var/data'));
  });

  it('accepts a SQLite file URL', () => {
    const config = loadConfig({ DATABASE_URL: 'file:/tmp/telepacs.db' });
    assert.equal(config.databaseKind, 'sqlite');
    assert.equal(config.databaseUrl, 'file:/tmp/telepacs.db');
  });

  it('treats empty variables as unset', () => {
    const config = loadConfig({ PORT: '', DICOM_PEERS: '', ADMIN_PASSWORD: '' });
    assert.equal(config.port, 3000);
    assert.deepEqual(config.dicomPeers, []);
    assert.equal(config.adminPassword, undefined);
  });

  it('lists every invalid variable at once, each with a human message', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/telepacs',
      DICOM_PORT: '70000',
      DICOM_AET: 'A\\B',
      DICOM_PEERS: 'CT1@host,MR1@10.0.0.6:104',
      ADMIN_EMAIL: 'not-an-email',
      ADMIN_PASSWORD: 'short',
      PUBLIC_URL: 'ftp://example.org',
      TRUST_PROXY: 'maybe',
      SESSION_TTL_HOURS: '-1',
    });
    const variables = problems.map((problem) => problem.split(':')[0]).sort();
    assert.deepEqual(variables, [
      'ADMIN_EMAIL',
      'ADMIN_PASSWORD',
      'DATABASE_URL',
      'DICOM_AET',
      'DICOM_PEERS',
      'DICOM_PORT',
      'PORT',
      'PUBLIC_URL',
      'SESSION_TTL_HOURS',
      'TRUST_PROXY',
    ]);
    assert.ok(problems.includes('DICOM_PEERS: "CT1@host" — expected AET@host:port[+tls][+client-cert][+any-address]'), problems.join('\n'));
  });

  it('rejects AE titles that are too long or contain control characters', () => {
    assert.equal(problemsOf({ DICOM_AET: 'SEVENTEEN_CHARS_X' }).length, 1);
    assert.equal(problemsOf({ DICOM_AET: 'CT\t1' }).length, 1);
    assert.equal(loadConfig({ DICOM_AET: 'SIXTEEN_CHARS_XX' }).dicomAet, 'SIXTEEN_CHARS_XX');
  });

  it('rejects duplicate peers and out-of-range peer ports', () => {
    const problems = problemsOf({ DICOM_PEERS: 'CT1@a:104,CT1@b:104,MR1@c:0' });
    assert.equal(problems.length, 2);
    assert.match(problems.join('\n'), /"CT1" is listed twice/);
    assert.match(problems.join('\n'), /"MR1@c:0" — expected AET@host:port/);
  });

  it('puts the whole list in the error message', () => {
    assert.throws(() => loadConfig({ PORT: 'x', DICOM_PORT: 'y' }), (error: Error) => {
      assert.match(error.message, /PORT: expected a port number/);
      assert.match(error.message, /DICOM_PORT: expected a port number/);
      return true;
    });
  });

  describe('ICE servers (STUN/TURN)', () => {
    it('reads STUN and TURN URLs with a coturn auth secret', () => {
      const config = loadConfig({
        STUN_URLS: 'stun:stun.hospital.example:3478,stuns:[fd00::9]',
        TURN_URLS: 'turn:turn.hospital.example:3478?transport=tcp, turns:turn.hospital.example:5349',
        TURN_SECRET: 'a-long-coturn-static-auth-secret',
      });
      assert.deepEqual(config.ice, {
        stunUrls: ['stun:stun.hospital.example:3478', 'stuns:[fd00::9]'],
        turnUrls: ['turn:turn.hospital.example:3478?transport=tcp', 'turns:turn.hospital.example:5349'],
        turnCredentials: { kind: 'secret', secret: 'a-long-coturn-static-auth-secret' },
      });
    });

    it('reads static TURN credentials', () => {
      const config = loadConfig({ TURN_URLS: 'turn:10.0.0.9', TURN_USERNAME: 'telepacs', TURN_CREDENTIAL: 'pw' });
      assert.deepEqual(config.ice.turnCredentials, { kind: 'static', username: 'telepacs', credential: 'pw' });
    });

    it('refuses URLs of the wrong scheme or form, naming each', () => {
      const problems = problemsOf({ STUN_URLS: 'turn:a.example,stun://b.example,stun:c.example?transport=udp', TURN_URLS: 'stun:d.example,turn:e.example:99999', TURN_SECRET: 'a-long-coturn-static-auth-secret' });
      assert.equal(problems.length, 5, problems.join('\n'));
      assert.ok(problems.includes('STUN_URLS: "turn:a.example" — expected stun:host[:port] or stuns:host[:port], e.g. stun:stun.hospital.example:3478'), problems.join('\n'));
      assert.match(problems.join('\n'), /TURN_URLS: "turn:e.example:99999"/);
    });

    it('refuses TURN servers without credentials, credentials without a TURN server, and both kinds of credentials', () => {
      assert.match(problemsOf({ TURN_URLS: 'turn:turn.hospital.example' }).join(), /^TURN_URLS: set TURN_SECRET/);
      assert.match(problemsOf({ TURN_SECRET: 'a-long-coturn-static-auth-secret' }).join(), /^TURN_URLS: TURN credentials are set but no TURN server/);
      assert.match(
        problemsOf({ TURN_URLS: 'turn:t.example', TURN_SECRET: 'a-long-coturn-static-auth-secret', TURN_USERNAME: 'u', TURN_CREDENTIAL: 'p' }).join(),
        /^TURN_SECRET: set either/,
      );
      assert.match(problemsOf({ TURN_URLS: 'turn:t.example', TURN_USERNAME: 'u' }).join(), /^TURN_CREDENTIAL: TURN_USERNAME is set/);
      assert.match(problemsOf({ TURN_URLS: 'turn:t.example', TURN_CREDENTIAL: 'p' }).join(), /^TURN_USERNAME: TURN_CREDENTIAL is set/);
    });

    it('refuses a short TURN secret: a guessable one lets anyone relay through the TURN server', () => {
      assert.match(problemsOf({ TURN_URLS: 'turn:t.example', TURN_SECRET: 'secret' }).join(), /^TURN_SECRET: use at least 16 characters/);
    });
  });

  it('gives STOW limits and HTTP timeouts defaults that let a large study through on a slow link', () => {
    const config = loadConfig({});
    assert.deepEqual(config.stow, { maxRequestBytes: 4096 * 2 ** 20, maxPartBytes: 2048 * 2 ** 20, concurrentPerUser: 4, retryAfterSeconds: 5 });
    assert.deepEqual(config.http, { headersTimeoutMs: 30_000, bodyIdleTimeoutMs: 60_000, keepAliveTimeoutMs: 5_000 });
    const set = loadConfig({ STOW_MAX_REQUEST_MB: '100', STOW_MAX_PART_MB: '50', STOW_CONCURRENT_PER_USER: '2', HTTP_HEADERS_TIMEOUT_S: '0.5', HTTP_BODY_IDLE_TIMEOUT_S: '120', HTTP_KEEPALIVE_TIMEOUT_S: '65' });
    assert.deepEqual(set.stow, { maxRequestBytes: 100 * 2 ** 20, maxPartBytes: 50 * 2 ** 20, concurrentPerUser: 2, retryAfterSeconds: 5 });
    assert.deepEqual(set.http, { headersTimeoutMs: 500, bodyIdleTimeoutMs: 120_000, keepAliveTimeoutMs: 65_000 });
  });

  it('names every invalid STOW limit and timeout', () => {
    const problems = problemsOf({ STOW_MAX_REQUEST_MB: '4GB', STOW_MAX_PART_MB: '0', STOW_CONCURRENT_PER_USER: '-1', HTTP_BODY_IDLE_TIMEOUT_S: 'never' });
    for (const variable of ['STOW_MAX_REQUEST_MB', 'STOW_MAX_PART_MB', 'STOW_CONCURRENT_PER_USER', 'HTTP_BODY_IDLE_TIMEOUT_S']) {
      assert.ok(problems.some((problem) => problem.startsWith(`${variable}:`)), `${variable} in ${problems.join(' | ')}`);
    }
  });
});
