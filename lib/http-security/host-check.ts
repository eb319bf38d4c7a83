// Which Host headers this node answers. DICOMweb answers carry absolute URLs
// (RetrieveURL, BulkDataURI, the cached series metadata is kept per base URL):
// built from a forged Host they would point a client elsewhere, and every new
// Host would add cache files. With PUBLIC_URL the URLs always use it; without
// it (the embedded default, `npm start` on a workstation) the URLs use the
// Host, so only this machine's own names and addresses are answered.
// Anything else gets 421 Misdirected Request (RFC 9110 15.5.20), which also
// shuts out DNS-rebinding pages.
import { hostname, networkInterfaces } from 'node:os';

export interface HostCheckOptions {
  /** PUBLIC_URL, without trailing slash */
  publicUrl: string | undefined;
  /** The port the server listens on (known once it listens: PORT=0 picks one) */
  port: () => number;
}

export type HostCheck = (hostHeader: string | undefined) => boolean;

/** "Host" → [lower-case name without brackets, port or undefined]; null when malformed. */
export function parseHostHeader(host: string): { name: string; port: number | undefined } | null {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(host.trim());
  if (!match) return null;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  return { name: match[1].toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''), port };
}

/** localhost, the machine's host name and every address of its interfaces. */
function ownNames(): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '::1', hostname().toLowerCase()]);
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) names.add(address.address.toLowerCase().replace(/%.*$/, ''));
  }
  return names;
}

// Interfaces come and go (DHCP, VPN): an unknown name re-reads them, at most this often.
const REFRESH_MS = 10_000;

export function createHostCheck(options: HostCheckOptions): HostCheck {
  // The name only: a proxy may forward the Host without the public port
  // (nginx's $host), and with PUBLIC_URL the URLs never come from the Host.
  const publicName = options.publicUrl ? new URL(options.publicUrl).hostname.toLowerCase().replace(/^\[|\]$/g, '') : undefined;
  let names = ownNames();
  let readAt = Date.now();
  const isOwnName = (name: string): boolean => {
    if (names.has(name)) return true;
    if (Date.now() - readAt < REFRESH_MS) return false;
    names = ownNames();
    readAt = Date.now();
    return names.has(name);
  };
  return (hostHeader) => {
    if (!hostHeader) return false;
    const parsed = parseHostHeader(hostHeader);
    if (!parsed) return false;
    if (publicName !== undefined && parsed.name === publicName) return true;
    // No port: 80/443, i.e. a proxy on this machine. Any other port is not ours:
    // it would only multiply the base URLs (and cache entries) a client can make.
    if (parsed.port !== undefined && parsed.port !== options.port()) return false;
    return isOwnName(parsed.name);
  };
}
