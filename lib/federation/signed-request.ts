// Every node-to-node request is signed (issue 19): `Authorization: TelepacsNode <JWT>`, a
// compact JWS (EdDSA, Ed25519) made with `jose`. What it binds:
//   iss / aud   the sending and receiving node ids (a request for one node is refused by another)
//   iat / exp   at most 120 s apart; the receiver allows 30 s of clock skew
//   jti         a random nonce: the receiver keeps it until exp, the same token twice is a replay
//   htm / htu   the method and the path with its query (a token for one call opens no other)
//   bsh         base64url SHA-256 of the body (a JSON body), or
//   ins         for a STOW-RS body, the SHA-256 (hex) of each instance by SOP Instance UID:
//               each part is compared on arrival, before anything is stored
//   act         the person the request acts for, asserted by the sending node:
//               {id, name, email, facility: {id, name, code}} (node-asserted identity)
// The verifying half is verify-node-request.ts.
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { NodeIdentity } from './node-identity';

export const AUTH_SCHEME = 'TelepacsNode';
export const TOKEN_TYPE = 'telepacs-node+jwt';
export const TOKEN_LIFETIME_S = 60;
export const MAX_TOKEN_SPAN_S = 120;
export const CLOCK_TOLERANCE_S = 30;

export interface NodeActor {
  /** The user's id at the sending node */
  id: string;
  name: string;
  email: string;
  /** The facility they act for at the sending node */
  facility: { id: string; name: string; code: string };
}

export interface NodeClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
  htm: string;
  htu: string;
  bsh?: string;
  ins?: Record<string, string>;
  act?: NodeActor;
}

export function bodyHash(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('base64url');
}

export interface SignInput {
  identity: NodeIdentity;
  audience: string;
  method: string;
  /** Path and query, e.g. /federation/v1/facilities */
  path: string;
  body?: Uint8Array;
  /** STOW-RS: SOP Instance UID → SHA-256 (hex) of each part */
  instances?: Record<string, string>;
  actor?: NodeActor;
  now?: Date;
}

/** The Authorization header value of one request. */
export async function signNodeRequest(input: SignInput): Promise<string> {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const claims: Record<string, unknown> = { htm: input.method.toUpperCase(), htu: input.path };
  if (input.instances) claims.ins = input.instances;
  else if (input.body && input.body.length) claims.bsh = bodyHash(input.body);
  if (input.actor) claims.act = input.actor;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: input.identity.current.kid, typ: TOKEN_TYPE })
    .setIssuer(input.identity.nodeId)
    .setAudience(input.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_S)
    .setJti(randomBytes(18).toString('base64url'))
    .sign(input.identity.current.privateKey);
  return `${AUTH_SCHEME} ${token}`;
}
