import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { createHostCheck, parseHostHeader } from './host-check';

describe('Host check', () => {
  const local = createHostCheck({ publicUrl: undefined, port: () => 3000 });
  const proxied = createHostCheck({ publicUrl: 'https://pacs.hospital.example:8443', port: () => 3000 });

  it("accepts this machine's own names and addresses on the listening port, or with no port", () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', 'LOCALHOST', `${hostname()}:3000`, 'localhost.']) {
      assert.equal(local(host), true, host);
    }
  });

  it('refuses other names, other ports, missing and malformed Hosts', () => {
    for (const host of [undefined, '', 'evil.example', 'localhost:3001', 'localhost:0', 'localhost:99999', 'user@localhost:3000', 'localhost:3000/x', '127.0.0.1 evil', '[::1']) {
      assert.equal(local(host), false, String(host));
    }
  });

  it("with PUBLIC_URL accepts its host name on any port as well as the machine's own names", () => {
    for (const host of ['pacs.hospital.example', 'pacs.hospital.example:8443', 'Pacs.Hospital.Example:443', '127.0.0.1:3000']) {
      assert.equal(proxied(host), true, host);
    }
    for (const host of ['pacs.hospital.example.evil.example', 'evil.example', 'hospital.example']) {
      assert.equal(proxied(host), false, host);
    }
  });

  it('parses bracketed IPv6 literals and ports', () => {
    assert.deepEqual(parseHostHeader('[FD00::5]:8080'), { name: 'fd00::5', port: 8080 });
    assert.deepEqual(parseHostHeader('example.org'), { name: 'example.org', port: undefined });
    assert.equal(parseHostHeader('exa mple'), null);
  });
});
