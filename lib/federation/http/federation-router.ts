// /federation/v1: the node-to-node API (docs/architecture.md "Between nodes"), served by the
// one http.Server outside Next (like /dicomweb), so a headless archive node has it too.
//   GET  /node                      unsigned: who this node is (id, name, URL, public keys, fingerprint)
//   POST /pairings                  the other half of a pairing code (signed by the key it presents)
//   POST /peer-status               a peer tells us it suspended, resumed or unpaired us
//   POST /keys                      a peer announces its new key (signed by one we know)
//   GET  /facilities                this node's facilities and their services, for the peer's mirrors
//   POST /transfers/inventory       a transfer starts or resumes: what we already hold
//   POST /stow/studies/{study}?transfer=…   STOW-RS of a transfer's batch (manifest-signed)
//   GET  /dicomweb/…                QIDO-RS / WADO-RS for a person of the peer, over what was granted
//   GET  /consult/enter?token=…&assertion=…  a browser: a colleague of the peer joins a teleconsultation
//                                   (the assertion is the peer's signed token, in the query)
//   POST /history                   federated patient history: the person's studies here the peer's person may see (history/)
//   POST /history/retrieve          send one of them to that person's facility (a transfer, consent checked here)
//   POST /notices                   an emergency transfer notice for a service here: it rings at once (lib/federation/notices)
//   POST /notices/{id}/changes      a change of a notice shared with the peer ({id}: its id at the node that sent it)
//   POST /referrals                 a second-opinion case for a service here: in its inbox at once (lib/federation/referrals)
//   POST /referrals/{id}/changes    a change of a case shared with the peer ({id}: its id at the requesting node; 'complete' carries the report)
// Every request but /node is signed (signed-request.ts); a refusal is 401 with the reason,
// audited (federation.refused) for the node's administrators. Errors are JSON {error: CODE, message, reason?} like the portal's.
import { nodeAuditFacilityId } from '../federation-audit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../../../pacs-core/access';
import { createDicomwebHttpHandler } from '../../../pacs-core/dicomweb/http-handler';
import { dicomwebRoutes } from '../../../pacs-core/dicomweb/all-routes';
import { stowRoutes } from '../../../pacs-core/dicomweb/stow-routes';
import type { AuditDetails } from '../../audit/actions';
import { recordAudit } from '../../audit/record-audit';
import { principalForUser } from '../../auth/principal';
import { DOMAIN_ERROR_STATUS, DomainError } from '../../errors';
import { PolicyError } from '../../policy/errors';
import type { Runtime } from '../../runtime';
import { federationSelf } from '../federation-self';
import { FEDERATION_PREFIX } from '../node-client';
import { checkDescription, receivePairing } from '../pairing/pair-nodes';
import { mirrorUser } from '../peers/remote-mirrors';
import { receivePeerStatus } from '../peers/set-peer-status';
import { receivePeerKeys } from '../peers/rotate-key';
import { receiveInventory, recordArrival, transferForStore } from '../transfers/receive-transfer';
import { answerHistoryQuery } from '../history/answer-history';
import { retrieveForPeer } from '../history/retrieve-for-peer';
import { recordRefusedShare } from '../../consent/refused-share';
import { isConsentRequiredError } from '../../policy/share-basis';
import { linkNoticeArrivals } from '../notices/link-notice-arrivals';
import { NOTICE_TRANSFER_SOURCE } from '../notices/notice-words';
import { receiveNotice } from '../notices/receive-notice';
import { receiveNoticeChange } from '../notices/receive-notice-change';
import { linkReferralArrivals } from '../referrals/link-referral-arrivals';
import { REFERRAL_TRANSFER_SOURCE } from '../referrals/referral-words';
import { receiveReferral } from '../referrals/receive-referral';
import { receiveReferralChange } from '../referrals/receive-referral-change';
import { FederationAuthError, claimedIssuer, verifyNodeRequest, type VerifiedRequest } from '../verify-node-request';
import { AUTH_SCHEME } from '../signed-request';
import { GUEST_TOKEN_PATTERN, consultEntryPath } from '../consult/join-remote-consultation';
import { enterFromNode } from '../consult/enter-from-node';
import { isGuestLinkError } from '../../consult/guest-links';
import { resolveClientAddress } from '../../auth/client-address';
import { sessionCookieHeader } from '../../auth/session-cookie';

// A case's 'complete' carries the signed report's PDF and SR (base64): the largest body
const MAX_JSON_BYTES = 32 * 1024 * 1024;

export function isFederationPath(pathname: string): boolean {
  return pathname === FEDERATION_PREFIX || pathname.startsWith(`${FEDERATION_PREFIX}/`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) throw new DomainError('PAYLOAD_TOO_LARGE', `a node-to-node JSON body is limited to ${MAX_JSON_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(bytes: Buffer): unknown {
  if (!bytes.length) return {};
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new DomainError('BAD_REQUEST', 'the body is not JSON');
  }
}

export function createFederationHandler(runtime: Runtime) {
  const { db, logger } = runtime;
  const principals = new WeakMap<IncomingMessage, Principal>();
  const authenticate = async (req: IncomingMessage) => principals.get(req) ?? null;
  const baseUrlFor = (prefix: string) => (req: IncomingMessage) => `${runtime.config.publicUrl ?? `http://${req.headers.host}`}${prefix}`;
  const stow = createDicomwebHttpHandler({ archive: runtime.archive, routes: stowRoutes, prefix: `${FEDERATION_PREFIX}/stow`, authenticate, baseUrlFor: baseUrlFor(`${FEDERATION_PREFIX}/stow`), stowLimits: runtime.config.stow });
  const dicomweb = createDicomwebHttpHandler({ archive: runtime.archive, routes: dicomwebRoutes.filter((route) => route.method === 'GET'), prefix: `${FEDERATION_PREFIX}/dicomweb`, authenticate, baseUrlFor: baseUrlFor(`${FEDERATION_PREFIX}/dicomweb`) });

  // Every refused node request, in the node's home facility where its administrators see it (federation-audit.ts)
  const auditRefusal = async (req: IncomingMessage, actor: string, path: string, details: AuditDetails<'federation.refused'>) => {
    await recordAudit(db, {
      actor,
      actorUserId: null,
      sourceIp: req.socket.remoteAddress ?? '',
      outcome: 'DENIED',
      action: 'federation.refused',
      facilityId: await nodeAuditFacilityId(db),
      resource: path.slice(0, 200),
      details: { ...details, path: path.slice(0, 200), method: req.method },
    }).catch((auditError: unknown) => logger.error('federation.refused not audited', { error: String(auditError) }));
  };

  const refuse = async (req: IncomingMessage, res: ServerResponse, error: FederationAuthError, path: string) => {
    const issuer = error.issuer ?? claimedIssuer(req.headers.authorization);
    const peer = issuer ? await db.nodePeer.findUnique({ where: { nodeId: issuer }, select: { name: true } }) : null;
    logger.warn('node-to-node request refused', { reason: error.reason, issuer: issuer ?? null, path, error: error.message });
    await auditRefusal(req, `node:${peer?.name ?? issuer ?? 'unknown'}`, path, { reason: error.reason, peerNodeId: issuer?.slice(0, 64), peerName: peer?.name, status: 401 });
    json(res, 401, { error: 'UNAUTHENTICATED', reason: error.reason, message: error.message });
  };

  // A notice's images, a case's studies joining it never fail the transfer: logged
  const linkArrivals = (peerId: string, source: { type?: unknown; id?: unknown } | null | undefined) => {
    if (typeof source?.id !== 'string') return Promise.resolve();
    const link = source.type === NOTICE_TRANSFER_SOURCE ? linkNoticeArrivals : source.type === REFERRAL_TRANSFER_SOURCE ? linkReferralArrivals : null;
    return link?.(runtime, peerId, source.id).catch((error: unknown) => logger.warn('transfer not joined to its notice or case', { source, error: String(error) }));
  };

  return async function handleFederation(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathAndQuery = req.url ?? '/';
    const pathname = pathAndQuery.split('?')[0];
    const route = pathname.slice(FEDERATION_PREFIX.length) || '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const sourceIp = req.socket.remoteAddress ?? '';
    const self = federationSelf(runtime.config, runtime.shared);
    const verify = (body?: Buffer, extra: { allowSuspendedByPeer?: boolean } = {}) =>
      verifyNodeRequest(db, { authorization: req.headers.authorization, method, path: pathAndQuery, body, nodeId: self.identity.nodeId, ...extra });
    const needActor = (verified: VerifiedRequest) => {
      if (!verified.actor || typeof verified.actor.id !== 'string' || typeof verified.actor.facility?.id !== 'string') throw new DomainError('BAD_REQUEST', 'this call acts for a person: the token must assert one (act)');
      return verified.actor;
    };
    // A paired node's notice or case call refused (a service or notice not its to address, a change not its side's): audited for the node's administrators
    const refusedCallAudited = async <T>(verified: VerifiedRequest, work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (error) {
        if (error instanceof PolicyError) {
          await auditRefusal(req, `node:${verified.peer.name}`, pathname, {
            reason: error.code, peerNodeId: verified.peer.nodeId, peerName: verified.peer.name, remoteUser: verified.actor ? String(verified.actor.name).slice(0, 120) : undefined, status: error.code === 'NOT_FOUND' ? 404 : 403,
          });
        }
        throw error;
      }
    };
    try {
      if (method === 'GET' && route === '/node') return json(res, 200, self.description);
      if (method === 'POST' && route === '/pairings') {
        const bytes = await readBody(req);
        const body = parseJson(bytes) as { secret?: unknown; node?: unknown };
        const node = checkDescription(body.node);
        const verified = await verifyNodeRequest(db, { authorization: req.headers.authorization, method, path: pathAndQuery, body: bytes, nodeId: self.identity.nodeId, selfKeys: node.keys });
        if (verified.claims.iss !== node.nodeId) throw new FederationAuthError('BAD_SIGNATURE', 'the pairing request is signed by another node than it describes', verified.claims.iss);
        if (node.nodeId === self.identity.nodeId) throw new DomainError('BAD_REQUEST', 'a node cannot pair with itself');
        const paired = await receivePairing(db, { secret: body.secret, node, sourceIp, self: self.description });
        if (!paired) throw new FederationAuthError('UNPAIRED', 'the pairing code is unknown, used or expired', node.nodeId);
        return json(res, 200, { node: self.description });
      }
      if (method === 'POST' && route === '/peer-status') {
        const bytes = await readBody(req);
        const verified = await verify(bytes, { allowSuspendedByPeer: true });
        const peer = await db.nodePeer.findUniqueOrThrow({ where: { id: verified.peer.id }, select: { id: true, nodeId: true, name: true, status: true, statusBy: true } });
        if (!(await receivePeerStatus(db, peer, (parseJson(bytes) as { status?: unknown }).status, sourceIp))) throw new DomainError('BAD_REQUEST', 'status: expected ACTIVE, SUSPENDED or UNPAIRED');
        return json(res, 200, { ok: true });
      }
      if (method === 'POST' && route === '/keys') {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        if (!(await receivePeerKeys(db, verified.peer, (parseJson(bytes) as { keys?: unknown }).keys, sourceIp))) throw new DomainError('BAD_REQUEST', 'keys: expected a list of Ed25519 public keys (JWK)');
        return json(res, 200, { ok: true });
      }
      if (method === 'GET' && route === '/facilities') {
        await verify();
        const facilities = await db.facility.findMany({
          where: { nodePeerId: null, disabledAt: null },
          select: { id: true, name: true, code: true, services: { where: { disabledAt: null }, select: { id: true, name: true, code: true }, orderBy: { name: 'asc' } } },
          orderBy: { name: 'asc' },
        });
        return json(res, 200, { facilities });
      }
      if (method === 'POST' && route === '/transfers/inventory') {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        const body = parseJson(bytes);
        const answer = await receiveInventory(db, verified.peer, needActor(verified), body, sourceIp);
        await linkArrivals(verified.peer.id, (body as { source?: { type?: unknown; id?: unknown } }).source);
        return json(res, 200, answer);
      }
      if (method === 'POST' && route === '/notices') {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        const received = await refusedCallAudited(verified, () => receiveNotice(runtime, verified.peer, needActor(verified), parseJson(bytes), sourceIp));
        return json(res, received.created ? 201 : 200, received);
      }
      const change = /^\/notices\/([A-Za-z0-9_-]{1,64})\/changes$/.exec(route);
      if (method === 'POST' && change) {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        return json(res, 200, await refusedCallAudited(verified, () => receiveNoticeChange(runtime, verified.peer, needActor(verified), change[1], parseJson(bytes), sourceIp)));
      }
      if (method === 'POST' && route === '/referrals') {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        const received = await refusedCallAudited(verified, () => receiveReferral(runtime, verified.peer, needActor(verified), parseJson(bytes), sourceIp));
        return json(res, received.created ? 201 : 200, received);
      }
      const referralChange = /^\/referrals\/([A-Za-z0-9_-]{1,64})\/changes$/.exec(route);
      if (method === 'POST' && referralChange) {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        return json(res, 200, await refusedCallAudited(verified, () => receiveReferralChange(runtime, verified.peer, needActor(verified), referralChange[1], parseJson(bytes), sourceIp)));
      }
      if (method === 'POST' && (route === '/history' || route === '/history/retrieve')) {
        const bytes = await readBody(req);
        const verified = await verify(bytes);
        const operation = route === '/history' ? answerHistoryQuery : retrieveForPeer;
        return json(res, 200, await operation(db, verified.peer, needActor(verified), parseJson(bytes), { regionIssuer: runtime.config.regionPatientIdIssuer, sourceIp }));
      }
      if (method === 'POST' && route.startsWith('/stow/')) {
        const verified = await verify();
        if (!verified.claims.ins || typeof verified.claims.ins !== 'object') throw new FederationAuthError('BAD_SIGNATURE', 'a STOW-RS batch must be signed with the SHA-256 of its instances (ins)', verified.peer.nodeId);
        const actor = needActor(verified);
        const transfer = await transferForStore(db, verified.peer.id, new URL(pathAndQuery, 'http://x').searchParams.get('transfer') ?? '');
        const mirror = await mirrorUser(db, verified.peer, actor);
        const base = await principalForUser(runtime, { userId: mirror.userId, label: mirror.label, sourceIp });
        principals.set(req, {
          ...base,
          storeFacilityId: transfer.localFacilityId,
          expectedSha256: new Map(Object.entries(verified.claims.ins)),
          audit: async (event) => {
            await base.audit({ ...event, facilityId: event.facilityId ?? transfer.localFacilityId });
            const stored = Number((event.details as { stored?: unknown } | undefined)?.stored ?? 0);
            if (event.action === 'dicomweb.stow') {
              await recordArrival(db, transfer, stored, verified.peer, mirror.label, sourceIp);
              await linkArrivals(verified.peer.id, { type: transfer.sourceType, id: transfer.sourceId });
            }
          },
        });
        return await stow(req, res);
      }
      if (method === 'GET' && route === '/consult/enter') {
        // A browser arriving with the colleague's node's assertion in the query (join-remote-consultation.ts)
        const query = new URL(pathAndQuery, 'http://x').searchParams;
        const token = query.get('token') ?? '';
        if (!GUEST_TOKEN_PATTERN.test(token)) throw new DomainError('LINK_INVALID', 'consult entry: malformed token', { userMessage: 'This invitation link is not valid.' });
        const verified = await verifyNodeRequest(db, { authorization: `${AUTH_SCHEME} ${query.get('assertion') ?? ''}`, method, path: consultEntryPath(token), nodeId: self.identity.nodeId });
        needActor(verified);
        const client = resolveClientAddress({ headers: req.headers, remoteAddress: req.socket.remoteAddress, secure: (req.socket as { encrypted?: boolean }).encrypted === true }, runtime.config.trustProxy);
        try {
          const joined = await enterFromNode(runtime, verified, token, { ip: client.ip, userAgent: req.headers['user-agent'] });
          res.statusCode = 303;
          res.setHeader('set-cookie', sessionCookieHeader(joined.sessionToken, { secure: client.secure }));
          res.setHeader('cache-control', 'no-store');
          res.setHeader('location', joined.path);
          return void res.end();
        } catch (error) {
          // A used, expired, withdrawn or ended link: the guest page says which, in words
          if (!isGuestLinkError(error)) throw error;
          res.statusCode = 303;
          res.setHeader('location', `/guest/${token}`);
          return void res.end();
        }
      }
      if (method === 'GET' && route.startsWith('/dicomweb/')) {
        const verified = await verify();
        const mirror = await mirrorUser(db, verified.peer, needActor(verified));
        principals.set(req, await principalForUser(runtime, { userId: mirror.userId, label: mirror.label, sourceIp }));
        return await dicomweb(req, res);
      }
      return json(res, 404, { error: 'NOT_FOUND', message: `no node-to-node call ${method} ${route}` });
    } catch (error) {
      if (error instanceof FederationAuthError) return refuse(req, res, error, pathname);
      if (error instanceof DomainError) {
        // A share refused for want of consent is audited for the facility that holds the data
        if (isConsentRequiredError(error)) await recordRefusedShare(runtime, error, sourceIp);
        const code = error.code as keyof typeof DOMAIN_ERROR_STATUS;
        return json(res, DOMAIN_ERROR_STATUS[code] ?? 400, { error: code, message: error.message });
      }
      logger.error('node-to-node request failed', { path: pathname, error: String(error) });
      if (!res.headersSent) json(res, 500, { error: 'INTERNAL', message: 'internal error' });
      else res.destroy();
    }
  };
}
