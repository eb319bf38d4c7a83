// The STUN/TURN servers a browser of a teleconsultation gets with its JOIN.
// Server side only (node:crypto): the TURN secret never leaves the server,
// only credentials made from it.
//
// TURN credentials, when coturn runs with `use-auth-secret` and
// `static-auth-secret=<TURN_SECRET>` (the "TURN REST API",
// draft-uberti-behave-turn-rest-00, as coturn implements it):
//   username   = "<expiry, Unix seconds>:<userId>"
//   credential = base64(HMAC-SHA1(secret, username))
// coturn recomputes the HMAC and refuses a username whose expiry has passed,
// so a credential copied out of a browser is worth nothing after its lifetime,
// and nothing has to be shared between Telepacs and coturn but the secret.
import { createHmac } from 'node:crypto';
import type { Config } from '../config/config';
import type { IceServer } from './protocol';

/** Long enough for the longest consultation; every JOIN (also a reconnect) gets fresh credentials. */
export const TURN_CREDENTIAL_LIFETIME_SECONDS = 12 * 60 * 60;

export function turnRestCredentials(secret: string, userId: string, now: Date, lifetimeSeconds = TURN_CREDENTIAL_LIFETIME_SECONDS): { username: string; credential: string } {
  const expiry = Math.floor(now.getTime() / 1000) + lifetimeSeconds;
  const username = `${expiry}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** RTCIceServer entries for one user: none configured means host candidates only (a LAN, or loopback). */
export function iceServersFor(config: Pick<Config, 'ice'>, userId: string, now: Date): IceServer[] {
  const { stunUrls, turnUrls, turnCredentials } = config.ice;
  const servers: IceServer[] = [];
  if (stunUrls.length) servers.push({ urls: stunUrls });
  // Configuration refuses TURN URLs without credentials; skipping them here keeps a
  // hand-made Config from handing browsers a TURN server they cannot use.
  if (turnUrls.length && turnCredentials) {
    const credentials = turnCredentials.kind === 'secret' ? turnRestCredentials(turnCredentials.secret, userId, now) : turnCredentials;
    servers.push({ urls: turnUrls, username: credentials.username, credential: credentials.credential });
  }
  return servers;
}
