// The PROXY protocol on the DICOM door (issue 20): behind a TCP balancer
// (HAProxy `send-proxy-v2`, deploy/haproxy/telepacs.cfg) every association
// comes from the balancer's address, and the door's check of a modality's
// registered address (DICOM_PEERS, the admin page) would see only that. A
// balancer named in DICOM_PROXY_PROTOCOL_FROM starts each connection with a
// PROXY header (v1 text or v2 binary, www.haproxy.org/download/2.0/doc/proxy-protocol.txt)
// naming the modality's address, which the door then uses for everything
// (the peer check, the per-address limit, the log and the audit trail).
// Only those addresses are believed: anyone else's header is not read as one.
// The header's framing is read here; its parsing is proxy-protocol-js's.
import type net from 'node:net';
import { Command, IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
/** A v1 header is at most 107 bytes (the specification's bound); a v2 one 16 + its length */
const V1_MAX = 107;
const V2_MAX = 16 + 536;

/** No PROXY header; `silent` when the connection closed before its first byte (a balancer's TCP health check) */
export class ProxyHeaderError extends Error {
  constructor(
    message: string,
    readonly silent = false,
  ) {
    super(message);
  }
}

export interface ProxiedConnection {
  /** The modality's address as the balancer saw it; undefined for the balancer's own connection (v2 LOCAL, UNKNOWN: a health check) */
  sourceAddress: string | undefined;
}

/**
 * Reads the PROXY header at the start of `socket` and gives the bytes after
 * it back to the socket (paused: resume it once the DICOM side listens).
 * Fails on anything that is not one, or when none arrives within `timeoutMs`.
 */
export function readProxyHeader(socket: net.Socket, timeoutMs: number): Promise<ProxiedConnection> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new ProxyHeaderError(`no PROXY header within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error: Error | undefined, header?: ProxiedConnection, rest?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (error) return reject(error);
      if (rest && rest.length) socket.unshift(rest);
      resolve(header!);
    };
    const onClose = () => finish(new ProxyHeaderError('closed before its PROXY header', received.length === 0));
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      try {
        const parsed = parseProxyHeader(received);
        if (parsed) finish(undefined, parsed.header, received.subarray(parsed.length));
      } catch (error) {
        finish(new ProxyHeaderError((error as Error).message));
      }
    };
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** The header at the start of `bytes` and its length, undefined while incomplete; throws when it cannot be one. */
export function parseProxyHeader(bytes: Buffer): { header: ProxiedConnection; length: number } | undefined {
  const prefixOf = (expected: Buffer) => bytes.subarray(0, Math.min(bytes.length, expected.length)).equals(expected.subarray(0, Math.min(bytes.length, expected.length)));
  if (prefixOf(V2_SIGNATURE)) {
    if (bytes.length < 16) return undefined;
    const length = 16 + bytes.readUInt16BE(14);
    if (length > V2_MAX) throw new Error(`PROXY v2 header of ${length} bytes`);
    if (bytes.length < length) return undefined;
    const parsed = V2ProxyProtocol.parse(new Uint8Array(bytes.subarray(0, length)));
    return { header: { sourceAddress: parsed.command === Command.PROXY ? addressOf(parsed.proxyAddress) : undefined }, length };
  }
  if (prefixOf(V1_PREFIX)) {
    const end = bytes.indexOf('\r\n');
    if (end < 0) {
      if (bytes.length >= V1_MAX) throw new Error('PROXY v1 header without its end');
      return undefined;
    }
    const line = bytes.subarray(0, end + 2).toString('latin1');
    if (line.startsWith('PROXY UNKNOWN')) return { header: { sourceAddress: undefined }, length: end + 2 };
    return { header: { sourceAddress: V1ProxyProtocol.parse(line).source.ipAddress }, length: end + 2 };
  }
  throw new Error('the connection does not start with a PROXY header');
}

function addressOf(address: V2ProxyProtocol['proxyAddress']): string | undefined {
  if (address instanceof IPv4ProxyAddress) return address.sourceAddress.address.join('.');
  if (address instanceof IPv6ProxyAddress) {
    const bytes = Buffer.from(address.sourceAddress.address);
    const groups = Array.from({ length: 8 }, (_, index) => bytes.readUInt16BE(index * 2).toString(16));
    // ::ffff:a.b.c.d stays IPv4 as the door writes it
    if (groups.slice(0, 5).every((group) => group === '0') && groups[5] === 'ffff') return [...bytes.subarray(12)].join('.');
    return groups.join(':');
  }
  return undefined; // UNIX or UNSPEC: no network address
}
