// The pairing code an administrator of node A gives the administrator of node B (read out,
// mailed, pasted): "TPN1." + base64url of {u: A's URL, n: A's node id, f: A's key fingerprint,
// s: a one-time secret}. B checks that the node answering at u has that id and fingerprint
// (so a wrong URL or a node in the middle is refused); A checks the secret (so only someone
// given the code pairs). Only the secret's SHA-256 is kept at A; one use, 24 hours.
import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '../../errors';

export const CODE_PREFIX = 'TPN1.';
export const CODE_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface PairingCodeContent {
  url: string;
  nodeId: string;
  /** Hex, upper case, no spaces */
  fingerprint: string;
  secret: string;
}

export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}

export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function encodePairingCode(content: PairingCodeContent): string {
  const json = JSON.stringify({ u: content.url, n: content.nodeId, f: content.fingerprint.replace(/\s+/g, ''), s: content.secret });
  return `${CODE_PREFIX}${Buffer.from(json).toString('base64url')}`;
}

const invalid = (why: string) => new DomainError('INVALID_INPUT', `pairing code refused: ${why}`, { userMessage: 'Some fields need attention.', fields: { code: why } });

export function decodePairingCode(text: unknown): PairingCodeContent {
  const code = typeof text === 'string' ? text.replace(/\s+/g, '') : '';
  if (!code) throw invalid('Paste the pairing code the other node’s administrator gave you.');
  if (!code.startsWith(CODE_PREFIX)) throw invalid(`This is not a Telepacs pairing code (it starts with ${CODE_PREFIX}).`);
  let parsed: { u?: unknown; n?: unknown; f?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(code.slice(CODE_PREFIX.length), 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw invalid('The pairing code is damaged: copy it again, whole.');
  }
  const { u, n, f, s } = parsed;
  if (typeof u !== 'string' || typeof n !== 'string' || typeof f !== 'string' || typeof s !== 'string' || !/^[0-9A-F]{64}$/.test(f)) throw invalid('The pairing code is damaged: copy it again, whole.');
  let url: URL;
  try {
    url = new URL(u);
  } catch {
    throw invalid('The pairing code names no valid node address.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('The pairing code names no http(s) node address.');
  return { url: u.replace(/\/+$/, ''), nodeId: n, fingerprint: f, secret: s };
}

/** "3F2A 9C01 …" from "3F2A9C01…" */
export function groupFingerprint(hex: string): string {
  return hex.match(/.{1,4}/g)?.join(' ') ?? hex;
}
