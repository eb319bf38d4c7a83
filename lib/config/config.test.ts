import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createTestPki, type TestCertificate, type TestPki } from '../../test/support/test-pki';
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
  let pki: TestPki;
  let ours: TestCertificate;
  before(() => {
    pki = createTestPki();
    ours = pki.issue('TELEPACS');
  });
  after(() => pki?.cleanup());

  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.dataDir, path.resolve('./data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.databaseKind, 'sqlite');
    assert.equal(config.dicomPort, 11112);
    assert.equal(config.dicomAet, 'TELEPACS');
    assert.deepEqual(config.dicomPeers, []);
    assert.equal(config.dicomTls, undefined);
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
      DICOM_TLS_PORT: '2762',
      DICOM_TLS_CERT: ours.cert,
      DICOM_TLS_KEY: ours.key,
      DICOM_TLS_CA: pki.ca,
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
    assert.deepEqual(
      config.dicomTls && { ...config.dicomTls, cert: config.dicomTls.cert.toString(), key: config.dicomTls.key.toString(), ca: config.dicomTls.ca.toString() },
      {
        port: 2762,
        certFile: ours.cert,
        keyFile: ours.key,
        caFile: pki.ca,
        cert: pki.read(ours.cert).toString(),
        key: pki.read(ours.key).toString(),
        ca: pki.read(pki.ca).toString(),
      },
    );
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

  it('reads the DICOM door limits in seconds and connections, with defaults', () => {
    assert.deepEqual(loadConfig({}).dicomLimits, { artimMs: 30_000, idleMs: 300_000, maxConnections: 200, maxConnectionsPerAddress: 20, proxyProtocolFrom: [] });
    const config = loadConfig({ DICOM_ARTIM_SECONDS: '10', DICOM_IDLE_SECONDS: '600', DICOM_MAX_ASSOCIATIONS: '50', DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: '5', DICOM_PROXY_PROTOCOL_FROM: ' 10.0.0.5, ::ffff:10.0.0.6 ,FD00::1' });
    assert.deepEqual(config.dicomLimits, { artimMs: 10_000, idleMs: 600_000, maxConnections: 50, maxConnectionsPerAddress: 5, proxyProtocolFrom: ['10.0.0.5', '10.0.0.6', 'fd00::1'] });
    assert.deepEqual(problemsOf({ DICOM_PROXY_PROTOCOL_FROM: '10.0.0.5,balancer.local' }), [
      'DICOM_PROXY_PROTOCOL_FROM: "balancer.local" is not an IP address (a comma-separated list of the balancers\' addresses)',
    ]);
    const problems = problemsOf({ DICOM_ARTIM_SECONDS: '0', DICOM_IDLE_SECONDS: '1.5', DICOM_MAX_ASSOCIATIONS: '10', DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: '11' });
    assert.deepEqual(problems, [
      'DICOM_ARTIM_SECONDS: expected a whole number of seconds between 1 and 600',
      'DICOM_IDLE_SECONDS: expected a whole number of seconds between 1 and 86400',
      'DICOM_MAX_ASSOCIATIONS_PER_ADDRESS: must not exceed DICOM_MAX_ASSOCIATIONS (10)',
    ]);
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

  it('reads the region-wide patient ID issuer: unset means no automatic linking', () => {
    assert.equal(loadConfig({}).regionPatientIdIssuer, undefined);
    assert.equal(loadConfig({ REGION_PATIENT_ID_ISSUER: '  REGION ' }).regionPatientIdIssuer, 'REGION');
    for (const wrong of ['A\\B', 'x'.repeat(65), 'REG\tION']) {
      assert.deepEqual(problemsOf({ REGION_PATIENT_ID_ISSUER: wrong }), [
        'REGION_PATIENT_ID_ISSUER: expected the IssuerOfPatientID (0010,0021) of region-wide patient IDs, e.g. REGION — up to 64 characters, no backslash or control characters',
      ]);
    }
  });

  it('puts the whole list in the error message', () => {
    assert.throws(() => loadConfig({ PORT: 'x', DICOM_PORT: 'y' }), (error: Error) => {
      assert.match(error.message, /PORT: expected a port number/);
      assert.match(error.message, /DICOM_PORT: expected a port number/);
      return true;
    });
  });

  describe('DICOM TLS', () => {
    it('lists missing and unreadable files with the other problems', () => {
      const unreadable = path.join(pki.dir, 'unreadable.pem');
      writeFileSync(unreadable, '');
      chmodSync(unreadable, 0o000);
      const problems = problemsOf({ PORT: 'eighty', DICOM_TLS_PORT: '2762', DICOM_TLS_CERT: path.join(pki.dir, 'missing.pem'), DICOM_TLS_KEY: unreadable });
      const readableByUs = process.getuid?.() === 0; // root reads a mode-000 file
      assert.deepEqual(problems.filter((problem) => !problem.startsWith('DICOM_TLS_KEY')), [
        'PORT: expected a port number 0-65535',
        `DICOM_TLS_CERT: cannot read ${path.join(pki.dir, 'missing.pem')} (no such file)`,
        'DICOM_TLS_CA: required with DICOM_TLS_PORT (the CA certificate(s) peer certificates must chain to, a PEM file)',
      ]);
      const keyProblem = problems.find((problem) => problem.startsWith('DICOM_TLS_KEY'));
      assert.equal(
        keyProblem,
        readableByUs ? `DICOM_TLS_KEY: ${unreadable} is not an unencrypted PEM private key` : `DICOM_TLS_KEY: cannot read ${unreadable} (permission denied for the user running Telepacs)`,
      );
    });

    it('refuses a key that is not the certificate\'s, and files that are not PEM', () => {
      const other = pki.issue('OTHER');
      assert.deepEqual(problemsOf({ DICOM_TLS_PORT: '2762', DICOM_TLS_CERT: ours.cert, DICOM_TLS_KEY: other.key, DICOM_TLS_CA: pki.ca }), [
        `DICOM_TLS_KEY: ${other.key} is not the private key of the certificate in ${ours.cert}`,
      ]);
      assert.deepEqual(problemsOf({ DICOM_TLS_PORT: '2762', DICOM_TLS_CERT: ours.key, DICOM_TLS_KEY: ours.cert, DICOM_TLS_CA: ours.key }), [
        `DICOM_TLS_CERT: ${ours.key} is not a PEM certificate`,
        `DICOM_TLS_KEY: ${ours.cert} is not an unencrypted PEM private key`,
        `DICOM_TLS_CA: ${ours.key} must hold one or more PEM certificates (the CA's)`,
      ]);
    });

    it('needs DICOM_TLS_PORT for TLS peers and for the files, and its own port', () => {
      assert.match(problemsOf({ DICOM_PEERS: 'CT1@10.0.0.5:104+tls' }).join('\n'), /^DICOM_PEERS: CT1 uses \+tls or \+client-cert, but DICOM TLS is off/);
      assert.match(problemsOf({ DICOM_TLS_CERT: ours.cert, DICOM_TLS_KEY: ours.key }).join('\n'), /^DICOM_TLS_PORT: DICOM_TLS_CERT, DICOM_TLS_KEY are set but DICOM_TLS_PORT is not/);
      assert.deepEqual(problemsOf({ DICOM_PORT: '2762', DICOM_TLS_PORT: '2762', DICOM_TLS_CERT: ours.cert, DICOM_TLS_KEY: ours.key, DICOM_TLS_CA: pki.ca }), [
        'DICOM_TLS_PORT: 2762 is DICOM_PORT too — the TLS listener needs its own port (e.g. 2762)',
      ]);
      assert.match(problemsOf({ DICOM_TLS_PORT: 'tls' }).join('\n'), /DICOM_TLS_PORT: expected a port number/);
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

  describe('EMERGENCY_WEBHOOK_URL (escalated transfer alarms)', () => {
    it('is off unless set, and takes an http(s) URL', () => {
      assert.equal(loadConfig({}).emergencyWebhookUrl, undefined);
      assert.equal(loadConfig({ EMERGENCY_WEBHOOK_URL: 'https://paging.hospital.example/telepacs' }).emergencyWebhookUrl, 'https://paging.hospital.example/telepacs');
      assert.equal(loadConfig({ EMERGENCY_WEBHOOK_URL: 'http://10.0.0.9:8080/hook' }).emergencyWebhookUrl, 'http://10.0.0.9:8080/hook');
    });

    it('rejects anything else with the expected form', () => {
      for (const EMERGENCY_WEBHOOK_URL of ['paging.hospital.example', 'ftp://paging.hospital.example/', 'mailto:oncall@hospital.example']) {
        const problems = problemsOf({ EMERGENCY_WEBHOOK_URL });
        assert.equal(problems.length, 1, `${EMERGENCY_WEBHOOK_URL}: ${problems.join(' | ')}`);
        assert.match(problems[0], /^EMERGENCY_WEBHOOK_URL: expected an http\(s\) URL/);
      }
    });
  });

  describe('e-mail (SMTP_URL, MAIL_FROM)', () => {
    const PUBLIC_URL = 'https://pacs.hospital.example';

    it('is off without SMTP_URL, whatever MAIL_FROM says', () => {
      assert.equal(loadConfig({}).mail, undefined);
      assert.equal(loadConfig({ MAIL_FROM: 'pacs@hospital.example', PUBLIC_URL }).mail, undefined);
    });

    it('reads the relay, its credentials (%-decoded) and the sender, with the defaults', () => {
      const config = loadConfig({ SMTP_URL: 'smtp://telepacs:p%40ss%3Aword@mail.hospital.example:2525', PUBLIC_URL: `${PUBLIC_URL}/` });
      assert.deepEqual(config.mail, {
        smtp: { host: 'mail.hospital.example', port: 2525, secure: false, auth: { user: 'telepacs', pass: 'p@ss:word' } },
        from: { name: 'Telepacs', address: 'telepacs@localhost' },
        linkBase: PUBLIC_URL,
      });
      assert.deepEqual(loadConfig({ SMTP_URL: 'smtp://mail.hospital.example', PUBLIC_URL }).mail?.smtp, { host: 'mail.hospital.example', port: 587, secure: false, auth: undefined });
      assert.deepEqual(loadConfig({ SMTP_URL: 'smtps://mail.hospital.example', PUBLIC_URL }).mail?.smtp, { host: 'mail.hospital.example', port: 465, secure: true, auth: undefined });
      assert.equal(loadConfig({ SMTP_URL: 'smtp://[fd00::25]:25', PUBLIC_URL }).mail?.smtp.host, 'fd00::25');
    });

    it('reads MAIL_FROM with or without a display name', () => {
      const from = (MAIL_FROM: string) => loadConfig({ SMTP_URL: 'smtp://127.0.0.1:25', PUBLIC_URL, MAIL_FROM }).mail?.from;
      assert.deepEqual(from('pacs@hospital.example'), { name: undefined, address: 'pacs@hospital.example' });
      assert.deepEqual(from('  Regional PACS <pacs@hospital.example> '), { name: 'Regional PACS', address: 'pacs@hospital.example' });
      assert.deepEqual(from('<pacs@hospital.example>'), { name: undefined, address: 'pacs@hospital.example' });
    });

    it('rejects a malformed SMTP_URL with the expected form, never echoing the password', () => {
      for (const SMTP_URL of [
        'mail.hospital.example:25',
        'https://mail.hospital.example',
        'smtp://',
        'smtp://telepacs@mail.hospital.example',
        'smtp://:s3cr3t-pw@mail.hospital.example',
        'smtp://telepacs:s3cr3t-pw@mail.hospital.example/inbox',
        'smtp://telepacs:s3cr3t-pw@mail.hospital.example?tls.rejectUnauthorized=false',
        'smtp://mail.hospital.example:99999',
        'smtp://telepacs:s3cr%ZZ@mail.hospital.example',
      ]) {
        const problems = problemsOf({ SMTP_URL, PUBLIC_URL });
        assert.equal(problems.length, 1, `${SMTP_URL}: ${problems.join(' | ')}`);
        assert.match(problems[0], /^SMTP_URL: /, SMTP_URL);
        assert.ok(!problems[0].includes('s3cr'), `${SMTP_URL}: the password leaked into ${problems[0]}`);
      }
      assert.match(problemsOf({ SMTP_URL: 'smtp://telepacs@mail.hospital.example', PUBLIC_URL })[0], /give both the user and the password/);
      assert.match(problemsOf({ SMTP_URL: 'https://mail.hospital.example', PUBLIC_URL })[0], /expected smtp:\/\/\[user:password@\]host\[:port\]/);
    });

    it('wants PUBLIC_URL with SMTP_URL: a mail\'s link must not depend on the Host of some request', () => {
      assert.deepEqual(problemsOf({ SMTP_URL: 'smtp://mail.hospital.example' }), [
        'PUBLIC_URL: required when SMTP_URL is set: the links in e-mails start with it, e.g. https://pacs.hospital.example',
      ]);
    });

    it('rejects a MAIL_FROM that is not one address, or could add a header', () => {
      for (const MAIL_FROM of ['telepacs', 'Telepacs <pacs@hospital.example>\r\nBcc: all@hospital.example', '"Telepacs" <pacs@hospital.example>', 'a@hospital.example, b@hospital.example', 'Telepacs <pacs@-bad-.example>']) {
        const problems = problemsOf({ MAIL_FROM });
        assert.equal(problems.length, 1, MAIL_FROM);
        assert.match(problems[0], /^MAIL_FROM: expected an address such as telepacs@hospital\.example/, MAIL_FROM);
      }
    });
  });

  describe('STORAGE_URL (issue 20)', () => {
    it('is DATA_DIR/store/short by default, a directory with file://, a bucket with s3://', () => {
      assert.deepEqual(loadConfig({ DATA_DIR: '/srv/t' }).storage, { kind: 'file', path: '/srv/t/store/short' });
      assert.deepEqual(loadConfig({ STORAGE_URL: 'file:///mnt/shared/store' }).storage, { kind: 'file', path: '/mnt/shared/store' });
      assert.deepEqual(loadConfig({ STORAGE_URL: 's3://telepacs-images/site-a/', S3_ENDPOINT: 'http://rgw.example:7480', S3_REGION: 'eu-central-1' }).storage, {
        kind: 's3',
        bucket: 'telepacs-images',
        prefix: 'site-a',
        endpoint: 'http://rgw.example:7480',
        region: 'eu-central-1',
      });
    });

    it('names what is wrong, without repeating credentials', () => {
      for (const [env, expected] of [
        [{ STORAGE_URL: 'ftp://x/y' }, /^STORAGE_URL: "ftp:\/\/x\/y": expected s3:\/\/bucket\/prefix or file:\/\/\/absolute\/path/],
        [{ STORAGE_URL: 's3://Bad_Bucket' }, /^STORAGE_URL: .*not a valid bucket name/],
        [{ STORAGE_URL: 's3://key:secret@bucket' }, /^STORAGE_URL: .*credentials do not belong in the URL/],
        [{ S3_ENDPOINT: 'rgw.example:7480' }, /^S3_ENDPOINT: expected http\(s\):\/\/host\[:port\]/],
      ] as const) {
        const problems = problemsOf(env);
        assert.equal(problems.length, 1, JSON.stringify(problems));
        assert.match(problems[0], expected);
        assert.ok(!problems[0].includes('secret'), problems[0]);
      }
    });
  });
});
