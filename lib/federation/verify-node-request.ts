// The receiving half of signed-request.ts: who sent this request, and may it? Refusals are
// FederationAuthError (answered 401 and audited by the router, http/federation-router.ts):
//   UNSIGNED     no `Authorization: TelepacsNode …`
//   MALFORMED    not a JWT of ours (type, algorithm, claims)
//   UNPAIRED     the issuer is no peer of this node, or was unpaired
//   SUSPENDED    the peer is suspended (by our admin, or by theirs)
//   BAD_SIGNATURE the signature does not verify with any of the peer's keys, or a claim
//               (audience, time, method, path, body hash) does not match the request
//   REPLAYED     this token (its jti) was accepted before
import { Prisma, type Database } from '../../prisma/database';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { AUTH_SCHEME, CLOCK_TOLERANCE_S, MAX_TOKEN_SPAN_S, TOKEN_TYPE, bodyHash, type NodeActor, type NodeClaims } from './signed-request';
import type { PublicNodeKey } from './node-identity';
import { ROTATION_GRACE_MS } from './node-identity';

export type RefusalReason = 'UNSIGNED' | 'MALFORMED' | 'UNPAIRED' | 'SUSPENDED' | 'BAD_SIGNATURE' | 'REPLAYED';

export class FederationAuthError extends Error {
  override readonly name = 'FederationAuthError';
  constructor(
    readonly reason: RefusalReason,
    message: string,
    /** The claimed issuer, when it could be read (for the audit) */
    readonly issuer?: string,
  ) {
    super(message);
  }
}

export interface VerifiedPeer {
  id: string;
  nodeId: string;
  name: string;
  url: string;
  status: string;
  statusBy: string | null;
}

export interface VerifiedRequest {
  peer: VerifiedPeer;
  claims: NodeClaims;
  actor?: NodeActor;
}

export interface VerifyInput {
  authorization: string | undefined;
  method: string;
  /** Path and query as received */
  path: string;
  /** The whole body, for a request whose body is hashed (JSON); undefined for STOW-RS (ins) and bodiless requests */
  body?: Uint8Array;
  /** This node's id (the audience) */
  nodeId: string;
  /** Refused only for SUSPENDED peers unless true (a peer telling us it resumed) */
  allowSuspendedByPeer?: boolean;
  /** The keys to verify with instead of a paired peer's (the pairing request proves its own key) */
  selfKeys?: PublicNodeKey[];
  now?: Date;
}

export function parseStoredKeys(text: string): PublicNodeKey[] {
  try {
    const keys = JSON.parse(text) as unknown;
    return Array.isArray(keys) ? (keys as PublicNodeKey[]) : [];
  } catch {
    return [];
  }
}

function usableKey(keys: readonly PublicNodeKey[], kid: string | undefined, now: Date): KeyObject | undefined {
  const key = keys.find((candidate) => candidate.kid === kid && (!candidate.retiredAt || now.getTime() - Date.parse(candidate.retiredAt) < ROTATION_GRACE_MS));
  if (!key) return undefined;
  try {
    return createPublicKey({ key: key.jwk, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function tokenOf(authorization: string | undefined): string {
  const [scheme, token] = (authorization ?? '').trim().split(/\s+/, 2);
  if (scheme !== AUTH_SCHEME || !token) throw new FederationAuthError('UNSIGNED', `node-to-node requests carry "Authorization: ${AUTH_SCHEME} <signed JWT>"`);
  return token;
}

/** Reads the claimed issuer without verifying anything (to find whose keys to verify with). */
export function claimedIssuer(authorization: string | undefined): string | undefined {
  try {
    const iss = decodeJwt(tokenOf(authorization)).iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

let lastNoncePurge = 0;

export async function verifyNodeRequest(db: Database, input: VerifyInput): Promise<VerifiedRequest> {
  const now = input.now ?? new Date();
  const token = tokenOf(input.authorization);
  let kid: string | undefined;
  let issuer: string | undefined;
  try {
    const header = decodeProtectedHeader(token);
    if (header.typ !== TOKEN_TYPE || header.alg !== 'EdDSA') throw new Error('type');
    kid = header.kid;
    const iss = decodeJwt(token).iss;
    issuer = typeof iss === 'string' ? iss : undefined;
  } catch {
    throw new FederationAuthError('MALFORMED', 'the Authorization token is not a Telepacs node JWT (EdDSA, typ telepacs-node+jwt)');
  }
  if (!issuer) throw new FederationAuthError('MALFORMED', 'the token names no issuer node (iss)');

  const row = await db.nodePeer.findUnique({ where: { nodeId: issuer }, select: { id: true, nodeId: true, name: true, url: true, status: true, statusBy: true, keys: true, lastSeenAt: true } });
  let keys: PublicNodeKey[];
  if (input.selfKeys) keys = input.selfKeys;
  else {
    if (!row || row.status === 'UNPAIRED') throw new FederationAuthError('UNPAIRED', 'this node is not paired with the sending node', issuer);
    if (row.status === 'SUSPENDED' && !(input.allowSuspendedByPeer && row.statusBy === 'REMOTE')) {
      throw new FederationAuthError('SUSPENDED', `the pairing with ${row.name} is suspended${row.statusBy === 'REMOTE' ? ' (by that node)' : ''}`, issuer);
    }
    keys = parseStoredKeys(row.keys);
  }
  const key = usableKey(keys, kid, now);
  if (!key) throw new FederationAuthError('BAD_SIGNATURE', `the token is signed with a key this node does not know for ${issuer} (kid ${kid ?? 'none'})`, issuer);

  let claims: NodeClaims;
  try {
    const verified = await jwtVerify(token, key, {
      algorithms: ['EdDSA'],
      typ: TOKEN_TYPE,
      issuer,
      audience: input.nodeId,
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: now,
      requiredClaims: ['iat', 'exp', 'jti', 'htm', 'htu'],
    });
    claims = verified.payload as unknown as NodeClaims;
  } catch (error) {
    throw new FederationAuthError('BAD_SIGNATURE', `the signature or a claim does not verify: ${(error as Error).message}`, issuer);
  }
  if (claims.exp - claims.iat > MAX_TOKEN_SPAN_S) throw new FederationAuthError('BAD_SIGNATURE', `the token lives longer than ${MAX_TOKEN_SPAN_S} s`, issuer);
  if (claims.htm !== input.method.toUpperCase() || claims.htu !== input.path) {
    throw new FederationAuthError('BAD_SIGNATURE', `the token was signed for ${claims.htm} ${claims.htu}, not ${input.method.toUpperCase()} ${input.path}`, issuer);
  }
  if (input.body !== undefined) {
    const expected = input.body.length ? bodyHash(input.body) : undefined;
    if (claims.bsh !== expected) throw new FederationAuthError('BAD_SIGNATURE', 'the body is not the one the token was signed for (bsh)', issuer);
  }

  // Replay: the jti kept until the token expires; the unique index referees two at once
  try {
    await db.nodeRequestNonce.create({ data: { peerNodeId: issuer, jti: String(claims.jti).slice(0, 200), expiresAt: new Date((claims.exp + CLOCK_TOLERANCE_S) * 1000) } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw new FederationAuthError('REPLAYED', 'this signed request was received before (replayed jti)', issuer);
    throw error;
  }
  if (now.getTime() - lastNoncePurge > 60_000) {
    lastNoncePurge = now.getTime();
    await db.nodeRequestNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  }
  if (row && (!row.lastSeenAt || now.getTime() - row.lastSeenAt.getTime() > 60_000)) {
    await db.nodePeer.update({ where: { id: row.id }, data: { lastSeenAt: now } });
  }
  const peer: VerifiedPeer = row
    ? { id: row.id, nodeId: row.nodeId, name: row.name, url: row.url, status: row.status, statusBy: row.statusBy }
    : { id: '', nodeId: issuer, name: '', url: '', status: 'PENDING', statusBy: null };
  return { peer, claims, ...(claims.act ? { actor: claims.act } : {}) };
}
