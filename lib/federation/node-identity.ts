// This node's identity between nodes (issue 19): a node id and Ed25519 key pairs, made at first
// start and kept in DATA_DIR/node/identity.json (mode 0600; the private keys never leave it).
// Every node-to-node request this node sends is signed with its current key; a rotated key
// stays listed (retired) for ROTATION_GRACE_MS, so requests signed just before the rotation
// and peers not yet told still verify. Several processes sharing DATA_DIR read the same
// file: the first to start creates it (an exclusive link, never two identities), and a
// rotation by one is seen by the others at their next signature (the file's mtime).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROTATION_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

export interface PublicNodeKey {
  kid: string;
  /** The public key as a JWK (OKP, Ed25519) */
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  createdAt: string;
  retiredAt?: string;
}

export interface NodeKey extends PublicNodeKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface NodeIdentity {
  nodeId: string;
  /** The key requests are signed with */
  current: NodeKey;
  /** Current first, then keys retired less than ROTATION_GRACE_MS ago */
  keys: NodeKey[];
}

interface StoredKey extends PublicNodeKey {
  privateKeyPem: string;
}

interface StoredIdentity {
  nodeId: string;
  keys: StoredKey[];
}

export function identityFile(dataDir: string): string {
  return path.join(dataDir, 'node', 'identity.json');
}

/** SHA-256 of the public key's SubjectPublicKeyInfo, in groups of four hex digits: what two admins read to each other. */
export function fingerprintOf(jwk: PublicNodeKey['jwk']): string {
  const spki = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('hex').toUpperCase().match(/.{4}/g)!.join(' ');
}

/** The key id: the first 16 bytes of the SPKI's SHA-256, base64url (names the key in a JWS header). */
function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest().subarray(0, 16).toString('base64url');
}

function newKey(now: Date): StoredKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' }) as { x: string };
  return {
    kid: keyIdOf(publicKey),
    jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x },
    createdAt: now.toISOString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function toIdentity(stored: StoredIdentity, now: Date): NodeIdentity {
  const keys = stored.keys
    .filter((key) => !key.retiredAt || now.getTime() - Date.parse(key.retiredAt) < ROTATION_GRACE_MS)
    .map((key): NodeKey => {
      const privateKey = createPrivateKey(key.privateKeyPem);
      return { kid: key.kid, jwk: key.jwk, createdAt: key.createdAt, ...(key.retiredAt ? { retiredAt: key.retiredAt } : {}), privateKey, publicKey: createPublicKey(privateKey) };
    });
  const current = keys.find((key) => !key.retiredAt);
  if (!current) throw new Error(`${'node identity'}: no current key in the identity file`);
  return { nodeId: stored.nodeId, current, keys: [current, ...keys.filter((key) => key !== current)] };
}

function writeAtomically(file: string, stored: StoredIdentity, exclusive: boolean): void {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  try {
    // Exclusive: fails with EEXIST when another process made the identity first
    if (exclusive) linkSync(temp, file);
    else renameSync(temp, file);
  } finally {
    if (exclusive) unlinkSync(temp);
  }
}

function readStored(file: string): StoredIdentity {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredIdentity;
  if (typeof stored.nodeId !== 'string' || !Array.isArray(stored.keys)) throw new Error(`${file} is not a Telepacs node identity`);
  return stored;
}

const cache = new Map<string, { mtimeMs: number; identity: NodeIdentity }>();

/** This node's identity: read from DATA_DIR (made there on first use). Cached until the file changes. */
export function loadNodeIdentity(dataDir: string, now = new Date()): NodeIdentity {
  const file = identityFile(dataDir);
  let mtimeMs: number;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeAtomically(file, { nodeId: randomUUID(), keys: [newKey(now)] }, true);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    mtimeMs = statSync(file).mtimeMs;
  }
  const cached = cache.get(file);
  if (cached && cached.mtimeMs === mtimeMs) return cached.identity;
  const identity = toIdentity(readStored(file), now);
  cache.set(file, { mtimeMs, identity });
  return identity;
}

/** A new current key; the previous one is retired (still verifies for ROTATION_GRACE_MS). Returns the new identity. */
export function rotateNodeKey(dataDir: string, now = new Date()): NodeIdentity {
  const file = identityFile(dataDir);
  loadNodeIdentity(dataDir, now);
  const stored = readStored(file);
  const keys = stored.keys
    .map((key) => (key.retiredAt ? key : { ...key, retiredAt: now.toISOString() }))
    .filter((key) => now.getTime() - Date.parse(key.retiredAt!) < ROTATION_GRACE_MS);
  writeAtomically(file, { nodeId: stored.nodeId, keys: [newKey(now), ...keys] }, false);
  cache.delete(file);
  return loadNodeIdentity(dataDir, now);
}

/** What a peer may know of a key. */
export function publicKeyOf(key: PublicNodeKey): PublicNodeKey {
  return { kid: key.kid, jwk: key.jwk, createdAt: key.createdAt, ...(key.retiredAt ? { retiredAt: key.retiredAt } : {}) };
}
