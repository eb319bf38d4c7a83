// Calls to a paired node's /federation/v1 API, each signed (signed-request.ts). A peer that
// does not answer, or answers an error, is a FederationCallError naming the peer and why:
// the callers (jobs) let the job runner retry with backoff; the admin pages show the words.
import type { NodeIdentity } from './node-identity';
import { signNodeRequest, type NodeActor } from './signed-request';

export const FEDERATION_PREFIX = '/federation/v1';

export class FederationCallError extends Error {
  override readonly name = 'FederationCallError';
  constructor(
    message: string,
    /** The HTTP status answered; undefined when the node could not be reached */
    readonly status?: number,
    /** The error code the peer answered ({error: {code}}) */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface PeerAddress {
  nodeId: string;
  name: string;
  url: string;
}

export interface PeerCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under /federation/v1, e.g. /facilities */
  path: string;
  json?: unknown;
  /**
   * A body of its own (STOW-RS), with its type and the instances' hashes. Pieces (a multipart
   * body's headers and parts) are streamed as they are, never joined into one copy.
   */
  body?: { bytes: Uint8Array | readonly Uint8Array[]; contentType: string; instances: Record<string, string> };
  actor?: NodeActor;
  accept?: string;
  timeoutMs?: number;
  /**
   * Sent again once, newly signed, when the connection broke before any answer (a reused idle
   * keep-alive socket the other node was closing: EPIPE / ECONNRESET). Only for calls whose
   * repetition changes nothing (a transfer's inventory and STOW batches: an instance stored
   * twice is one); a GET always is.
   */
  idempotent?: boolean;
}

const BROKEN_CONNECTION = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

function joinUrl(base: string, pathAndQuery: string): string {
  return `${base.replace(/\/+$/, '')}${pathAndQuery}`;
}

/** A fresh stream of the pieces for each attempt (a stream is read once). */
function piecesStream(pieces: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < pieces.length) controller.enqueue(pieces[next++]);
      else controller.close();
    },
  });
}

/** One signed request; the Response when it is 2xx, otherwise FederationCallError. */
export async function callPeer(identity: NodeIdentity, peer: PeerAddress, call: PeerCall): Promise<Response> {
  const path = `${FEDERATION_PREFIX}${call.path}`;
  const bytes = call.body ? call.body.bytes : call.json !== undefined ? Buffer.from(JSON.stringify(call.json)) : undefined;
  const attempts = call.idempotent || call.method === 'GET' ? 2 : 1;
  let response: Response | undefined;
  for (let attempt = 1; !response; attempt++) {
    // Signed for each attempt: the same token twice would be a replay
    const authorization = await signNodeRequest({ identity, audience: peer.nodeId, method: call.method, path, body: call.body ? undefined : (bytes as Uint8Array | undefined), instances: call.body?.instances, actor: call.actor });
    const headers: Record<string, string> = { authorization, accept: call.accept ?? 'application/json' };
    if (call.body) headers['content-type'] = call.body.contentType;
    else if (bytes) headers['content-type'] = 'application/json';
    try {
      const body = Array.isArray(bytes) ? piecesStream(bytes) : (bytes as Uint8Array | undefined);
      response = await fetch(joinUrl(peer.url, path), { method: call.method, headers, body: body as unknown as BodyInit | undefined, signal: AbortSignal.timeout(call.timeoutMs ?? 60_000), ...(Array.isArray(bytes) ? { duplex: 'half' } : {}) } as RequestInit);
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      if (attempt < attempts && BROKEN_CONNECTION.has(cause)) continue;
      throw new FederationCallError(`${peer.name} (${peer.url}) could not be reached: ${cause}`);
    }
  }
  if (response.ok) return response;
  const text = await response.text().catch(() => '');
  let code: string | undefined;
  let message = text.slice(0, 300);
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown; reason?: unknown };
    if (typeof parsed.error === 'string') code = parsed.error;
    if (typeof parsed.message === 'string') message = typeof parsed.reason === 'string' ? `${parsed.message} (${parsed.reason})` : parsed.message;
  } catch {
    // not JSON: the text as it came
  }
  throw new FederationCallError(`${peer.name} answered ${response.status}${message ? `: ${message}` : ''}`, response.status, code);
}

/** A signed JSON call answered with JSON. */
export async function callPeerJson<T>(identity: NodeIdentity, peer: PeerAddress, call: PeerCall): Promise<T> {
  const response = await callPeer(identity, peer, call);
  return (await response.json()) as T;
}

/** The public description a node gives of itself (GET /federation/v1/node, unsigned). */
export interface NodeDescription {
  nodeId: string;
  name: string;
  url: string;
  fingerprint: string;
  keys: { kid: string; jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string }; createdAt: string; retiredAt?: string }[];
  software: string;
}

export async function fetchNodeDescription(url: string, timeoutMs = 15_000): Promise<NodeDescription> {
  let response: Response;
  try {
    response = await fetch(joinUrl(url, `${FEDERATION_PREFIX}/node`), { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new FederationCallError(`${url} could not be reached: ${cause}`);
  }
  if (!response.ok) throw new FederationCallError(`${url} does not answer as a Telepacs node (HTTP ${response.status} for ${FEDERATION_PREFIX}/node)`, response.status);
  const description = (await response.json().catch(() => null)) as NodeDescription | null;
  if (!description || typeof description.nodeId !== 'string' || !Array.isArray(description.keys)) throw new FederationCallError(`${url} does not answer as a Telepacs node`);
  return description;
}
