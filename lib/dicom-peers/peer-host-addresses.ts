// The addresses a registered DICOM peer may associate from: its host, as an
// IP literal or resolved by the system resolver (dns.lookup: /etc/hosts, then
// DNS, like every other program on the machine), IPv4 and IPv6.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * One spelling per address, so that a socket's remoteAddress and a peer's
 * host compare as strings: an IPv4-mapped IPv6 address (`::ffff:10.0.0.5`,
 * what a dual-stack listener reports for an IPv4 client) becomes the IPv4
 * address, IPv6 is lower-case and compressed, a zone (`%eth0`) is dropped.
 * Returns '' for anything that is not an IP address.
 */
export function normalizeIpAddress(input: string): string {
  const address = input.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped && isIP(mapped[1]) === 4) return mapped[1];
  if (isIP(address) === 4) return address;
  if (isIP(address) !== 6) return '';
  // The WHATWG URL parser writes IPv6 in its canonical (RFC 5952) form
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (hexMapped) {
    const [high, low] = [parseInt(hexMapped[1], 16), parseInt(hexMapped[2], 16)];
    return [high >> 8, high & 255, low >> 8, low & 255].join('.');
  }
  return canonical;
}

export type HostAddresses = { ok: true; addresses: readonly string[] } | { ok: false; error: string };

export type ResolveHost = (host: string) => Promise<HostAddresses>;

/**
 * How long an answer is reused. Without a cache every association would call
 * getaddrinfo, which runs on libuv's small thread pool — the same four threads
 * that write received images to disk — so a burst of associations naming a
 * peer whose DNS server is slow would stall storage. dns.lookup gives no TTL;
 * 60 s keeps a renumbered modality refused for at most a minute. Failures are
 * kept shorter (10 s), so a DNS outage heals quickly once DNS is back.
 */
const RESOLVED_TTL_MS = 60_000;
const FAILED_TTL_MS = 10_000;
const MAX_CACHED_HOSTS = 1_000;

/** A resolver with a short-lived cache; concurrent lookups of one host share one query. */
export function createHostResolver(options: { lookupAll?: (host: string) => Promise<readonly { address: string }[]>; now?: () => number } = {}): ResolveHost {
  const lookupAll = options.lookupAll ?? ((host: string) => lookup(host, { all: true, verbatim: true }));
  const now = options.now ?? Date.now;
  const cache = new Map<string, { expiresAt: number; answer: Promise<HostAddresses> }>();

  const query = async (host: string): Promise<HostAddresses> => {
    try {
      const addresses = [...new Set((await lookupAll(host)).map((entry) => normalizeIpAddress(entry.address)).filter(Boolean))];
      return addresses.length ? { ok: true, addresses } : { ok: false, error: `${host} has no address` };
    } catch (error) {
      return { ok: false, error: `${host} could not be resolved (${(error as { code?: string }).code ?? String(error)})` };
    }
  };

  return async (hostInput) => {
    const literal = normalizeIpAddress(hostInput);
    if (literal) return { ok: true, addresses: [literal] };
    const host = hostInput.trim().toLowerCase();
    const cached = cache.get(host);
    if (cached && cached.expiresAt > now()) return cached.answer;
    if (cache.size >= MAX_CACHED_HOSTS) cache.clear();
    const entry = { expiresAt: Number.POSITIVE_INFINITY, answer: query(host) };
    cache.set(host, entry);
    const answer = await entry.answer;
    entry.expiresAt = now() + (answer.ok ? RESOLVED_TTL_MS : FAILED_TTL_MS);
    return answer;
  };
}
