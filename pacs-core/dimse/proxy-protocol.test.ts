// The PROXY header as HAProxy sends it (v1 text, v2 binary; built here with the
// same library that parses it), arriving whole or in pieces, with the DICOM
// bytes behind it; and what is not one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command, INETProtocol, IPv4Address, IPv4ProxyAddress, Peer, TransportProtocol, UnspecProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';
import { parseProxyHeader } from './proxy-protocol';

const ASSOCIATE_RQ_START = Buffer.from([0x01, 0x00, 0x00, 0x00, 0x00, 0xcd]);

describe('parseProxyHeader', () => {
  it('reads a v1 header and leaves the DICOM bytes after it', () => {
    const header = Buffer.from(new V1ProxyProtocol(INETProtocol.TCP4, new Peer('10.20.30.40', 50123), new Peer('10.0.0.1', 11112)).build());
    const bytes = Buffer.concat([header, ASSOCIATE_RQ_START]);
    assert.deepEqual(parseProxyHeader(bytes), { header: { sourceAddress: '10.20.30.40' }, length: header.length });
    assert.equal(parseProxyHeader(bytes.subarray(0, 20)), undefined, 'incomplete: wait for more');
  });

  it("reads a v2 header (PROXY: the modality's address; LOCAL: the balancer's own health check)", () => {
    const proxied = Buffer.from(
      new V2ProxyProtocol(Command.PROXY, TransportProtocol.STREAM, new IPv4ProxyAddress(IPv4Address.createFrom([192, 168, 7, 9]), 40000, IPv4Address.createFrom([10, 0, 0, 1]), 11112)).build(),
    );
    const bytes = Buffer.concat([proxied, ASSOCIATE_RQ_START]);
    assert.deepEqual(parseProxyHeader(bytes), { header: { sourceAddress: '192.168.7.9' }, length: proxied.length });
    for (const cut of [5, 15, proxied.length - 1]) assert.equal(parseProxyHeader(bytes.subarray(0, cut)), undefined, `${cut} bytes: wait for more`);
    const local = Buffer.from(new V2ProxyProtocol(Command.LOCAL, TransportProtocol.UNSPEC, new UnspecProxyAddress()).build());
    assert.deepEqual(parseProxyHeader(local), { header: { sourceAddress: undefined }, length: local.length });
  });

  it('refuses what is not a PROXY header: DICOM straight away, or a header that never ends', () => {
    assert.throws(() => parseProxyHeader(ASSOCIATE_RQ_START), /does not start with a PROXY header/);
    assert.throws(() => parseProxyHeader(Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`)), /without its end/);
  });
});
