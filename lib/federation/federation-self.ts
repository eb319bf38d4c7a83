// This node as its peers see it: identity (node-identity.ts), name (NODE_NAME) and the URL
// where its /federation/v1 answers (PUBLIC_URL, else the address it listens on, which
// lib/server/start.ts records at start). One place, for the router, the admin pages and jobs.
import type { Config } from '../config/config';
import { fingerprintOf, loadNodeIdentity, publicKeyOf, type NodeIdentity } from './node-identity';
import type { NodeDescription } from './node-client';

export const SOFTWARE = 'Telepacs 0.1';
const SELF_URL_KEY = 'federation.selfUrl';

export type FederationConfig = Pick<Config, 'dataDir' | 'nodeName' | 'publicUrl'>;

export interface FederationSelf {
  identity: NodeIdentity;
  description: NodeDescription;
}

/** Records the URL this process listens on (start.ts), used when PUBLIC_URL is unset. */
export function setListeningUrl(shared: Map<string, unknown>, url: string): void {
  shared.set(SELF_URL_KEY, url);
}

export function selfUrl(config: FederationConfig, shared: Map<string, unknown>): string {
  return config.publicUrl ?? (shared.get(SELF_URL_KEY) as string | undefined) ?? 'http://127.0.0.1';
}

// Built once per loaded identity (a rotation loads a new one), not on every node request
const described = new WeakMap<NodeIdentity, { name: string; url: string; self: FederationSelf }>();

export function federationSelf(config: FederationConfig, shared: Map<string, unknown>): FederationSelf {
  const identity = loadNodeIdentity(config.dataDir);
  const name = config.nodeName;
  const url = selfUrl(config, shared);
  const known = described.get(identity);
  if (known && known.name === name && known.url === url) return known.self;
  const self: FederationSelf = {
    identity,
    description: { nodeId: identity.nodeId, name, url, fingerprint: fingerprintOf(identity.current.jwk), keys: identity.keys.map(publicKeyOf), software: SOFTWARE },
  };
  described.set(identity, { name, url, self });
  return self;
}
