// Starts one Telepacs facility node: database (migrated), defaults, archive,
// DICOMweb (+ WADO-URI), /api/health, the Next.js portal and socket.io on ONE HTTP server.
// Used by server.ts, by the integration tests and by the benches (which run
// the archive without the portal: `portal: false`).
import { seedDefaultTemplates } from '../reports/templates/seed-default-templates';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  closeIndexConnection,
  createDatabase,
  migrateDatabase,
  openIndexConnection,
  tuneDatabase,
  type Database,
} from '../../prisma/database';
import { Archive } from '../../pacs-core/archive';
import { createDicomwebHttpHandler } from '../../pacs-core/dicomweb/http-handler';
import { startSeriesMetadataWarmer } from '../../pacs-core/dicomweb/series-metadata-cache';
import { dicomwebRoutes, wadoUriRoutes } from '../../pacs-core/dicomweb/all-routes';
import { createConsoleLogger, type Logger } from '../../pacs-core/logger';
import pg from 'pg';
import { openBlobStore } from '../../pacs-core/store/open-blob-store';
import { startDimseServer } from '../../pacs-core/dimse';
import { auditQueueFor } from '../audit/audit-queue';
import { writeAuditEvent } from '../audit/write-audit-event';
import type { AuditDetails } from '../audit/actions';
import type { ArchiveAuditAction } from '../../pacs-core/access';
import { authenticateRequest, deleteExpiredSessions, normalizeForwardedHeaders, resolveClientAddress } from '../auth';
import { ensureDefaults } from '../bootstrap/ensure-defaults';
import { backfillConsultationGrants } from '../grants/backfill-consultation-grants';
import { findDicomPeer } from '../dicom-peers/find-dicom-peer';
import { createHostResolver } from '../dicom-peers/peer-host-addresses';
import { authorizeDicomAssociation } from '../policy/dicom-association';
import { dicomMoveDestination } from '../policy/dicom-move-destination';
import type { Config } from '../config/config';
import { HEALTH_PATH, serveHealth } from '../health/serve-health';
import { startJobRunner, type JobRunner } from '../jobs/job-runner';
import { createJobRegistry } from '../jobs/registry';
import { BASE_SECURITY_HEADERS, createHostCheck, DATA_CONTENT_SECURITY_POLICY, HSTS_MAX_AGE_SECONDS, preparePortalResponse, setBaseSecurityHeaders } from '../http-security';
import { createOhifHttpHandler, isOhifPath } from '../ohif/serve-ohif';
import { settleConsultHandlers } from '../realtime/attach-consult';
import { attachRealtime, closeLiveStore } from '../realtime/attach-realtime';
import { shareArchiveInvalidation } from '../redis/archive-invalidation';
import { openRedis, waitForRedis } from '../redis/redis-client';
import { socketAdapterFor } from '../redis/socket-adapter';
import { followArrivingImages } from '../transfers/follow-arriving-images';
import { followArrivingOrderImages } from '../orders/follow-arriving-images';
import { startHl7Listener } from '../hl7/start-hl7-listener';
import { setRuntime, type Runtime } from '../runtime';
import { buildPortalIfNeeded } from './build-if-needed';
import { jobDefinitions } from './job-handlers';
import { createFederationHandler, isFederationPath } from '../federation/http/federation-router';
import { setListeningUrl } from '../federation/federation-self';
import { loadNodeIdentity } from '../federation/node-identity';
import { checkMailRelay } from '../mail/mail-transport';
import { applyHttpTimeouts, connectionsCheckingIntervalFor } from './http-timeouts';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StartOptions {
  config: Config;
  /** Serve the Next.js portal (false: archive + DICOMweb only, for tests and benches) */
  portal?: boolean;
  /** Next dev mode (hot reload) */
  dev?: boolean;
  logger?: Logger;
}

export interface RunningTelepacs {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  dicomwebUrl: string;
  runtime: Runtime;
  db: Database;
  archive: Archive;
  /** The bound DIMSE port (config.dicomPort, or the free port picked for 0) */
  dicomPort: number;
  /** The bound DICOM TLS port; undefined when DICOM TLS is off */
  dicomTlsPort: number | undefined;
  /** DIMSE connections open now (counted against DICOM_MAX_ASSOCIATIONS) */
  dicomConnections(): number;
  /** The bound MLLP port of the HL7 listener; undefined when HL7_PORT is unset */
  hl7Port: number | undefined;
  /** First run only: the generated administrator password, to print once */
  firstRun: { adminEmail: string; generatedPassword?: string; facilityId: string };
  close(): Promise<void>;
}

/**
 * Migrations and the first run's defaults. With TELEPACS_WORKERS the primary runs this once before
 * starting the workers (lib/server/cluster.ts), whose own run then finds everything done.
 */
export async function prepareDatabase(db: Database, config: Config, logger: Logger): Promise<RunningTelepacs['firstRun']> {
  const dbOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  await tuneDatabase(db, dbOptions);
  // Processes of one node started at the same moment (containers after an upgrade) take turns
  return withStartLock(config, async () => {
    const applied = await migrateDatabase(db, dbOptions);
    if (applied.length) logger.info('database migrated', { kind: config.databaseKind, applied });
    const firstRun = await ensureDefaults(db, config, logger);
    // Open consultations from before grants were rows read through grants now (idempotent)
    const backfilled = await backfillConsultationGrants(db);
    if (backfilled) logger.info('teleconsultation read grants backfilled', { grants: backfilled });
    // The shipped report templates, brought to this release's text (idempotent)
    await seedDefaultTemplates(db);
    return firstRun;
  });
}

/** On PostgreSQL: one process at a time (a session advisory lock on a connection of its own, blocking: nothing else waits on it). */
async function withStartLock<T>(config: Config, work: () => Promise<T>): Promise<T> {
  if (config.databaseKind !== 'postgres' || !config.databaseUrl) return work();
  const client = new pg.Client({ connectionString: config.databaseUrl });
  // A connection the server drops meanwhile fails the work's own queries; unhandled, its 'error' would end the process
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [START_LOCK_CLASS, 1]);
    return await work();
  } finally {
    await client.end().catch(() => undefined);
  }
}
/** The advisory lock (class, 1) that processes starting together take turns on */
export const START_LOCK_CLASS = 0x54500003;

export async function startTelepacs(options: StartOptions): Promise<RunningTelepacs> {
  const { config } = options;
  const logger = options.logger ?? createConsoleLogger();
  const portal = options.portal ?? true;
  mkdirSync(config.dataDir, { recursive: true });

  const dbOptions = { databaseUrl: config.databaseUrl, dataDir: config.dataDir };
  const db = createDatabase(dbOptions);
  const firstRun = await prepareDatabase(db, config, logger);
  // After the migrations: the per-image index writes go through it (ingest.ts).
  const indexConnection = openIndexConnection(dbOptions);

  const archive = new Archive({
    db,
    indexConnection,
    store: await openBlobStore(config.storage, config.dataDir),
    cacheDir: path.join(config.dataDir, 'cache'),
    logger,
    aeTitle: config.dicomAet,
    dicomTls: config.dicomTls,
    regionPatientIdIssuer: config.regionPatientIdIssuer,
  });
  // Several processes of the node share socket.io rooms and live sessions through Redis (issue 20)
  const redis = config.redisUrl ? await openRedis(config.redisUrl, logger) : undefined;
  if (redis) await waitForRedis(redis);
  // Ingest's known-series cache: a patient correction on one process reaches the others' ingest
  const stopSharingInvalidation = redis ? await shareArchiveInvalidation(archive, redis, logger) : () => {};
  const runtime: Runtime = { config, db, archive, logger, shared: new Map(), redis };
  setRuntime(runtime);
  // Read events a killed process had journalled but not committed (lib/audit/audit-journal.ts)
  await auditQueueFor(runtime).replayJournal();

  // The server answers only Hosts that hostCheck accepts (below), so without
  // PUBLIC_URL the Host is one of this machine's own names.
  let listeningPort = config.port;
  const hostCheck = createHostCheck({ publicUrl: config.publicUrl, port: () => listeningPort });
  const baseUrlFor = (req: IncomingMessage): string => {
    if (config.publicUrl) return `${config.publicUrl}/dicomweb`;
    return `${req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http'}://${req.headers.host}/dicomweb`;
  };
  const authenticate = (req: IncomingMessage) =>
    authenticateRequest(
      {
        headers: req.headers,
        method: req.method ?? 'GET',
        remoteAddress: req.socket.remoteAddress ?? '',
        secure: (req.socket as { encrypted?: boolean }).encrypted === true,
      },
      runtime,
    );
  const dicomweb = createDicomwebHttpHandler({ archive, routes: dicomwebRoutes, prefix: '/dicomweb', authenticate, baseUrlFor, stowLimits: config.stow });
  const wadoUri = createDicomwebHttpHandler({ archive, routes: wadoUriRoutes, prefix: '', authenticate, baseUrlFor });

  // The node-to-node API (issue 19, lib/federation): signed requests of paired nodes
  const federation = createFederationHandler(runtime);

  // The OHIF viewer under /ohif, part of the portal (lib/ohif).
  const ohif = portal ? createOhifHttpHandler({ context: runtime }) : undefined;

  let nextHandler: ((req: IncomingMessage, res: import('node:http').ServerResponse) => Promise<void>) | undefined;
  let nextApp: { close?: () => Promise<void> } | undefined;
  if (portal) {
    if (!options.dev) await buildPortalIfNeeded(projectRoot, logger);
    const { default: next } = await import('next');
    const app = next({ dev: options.dev ?? false, dir: projectRoot, webpack: true } as Parameters<typeof next>[0]);
    await app.prepare();
    const handle = app.getRequestHandler();
    nextHandler = (req, res) => handle(req, res);
    nextApp = app as unknown as { close?: () => Promise<void> };
  }

  const server: Server = createServer({ connectionsCheckingInterval: connectionsCheckingIntervalFor(config.http) }, (req, res) => {
    // Client address and scheme are resolved once here (X-Forwarded-* only
    // from a trusted proxy), for the audit trail and the rate limiter.
    const client = normalizeForwardedHeaders(req, config.trustProxy);
    setBaseSecurityHeaders(res, client.secure);
    const pathname = (req.url ?? '/').split('?')[0];
    if (!hostCheck(req.headers.host)) return misdirected(req, res, logger);
    const isArchivePath = pathname === '/dicomweb' || pathname.startsWith('/dicomweb/') || pathname === '/wado' || isFederationPath(pathname);
    if (isArchivePath) res.setHeader('content-security-policy', DATA_CONTENT_SECURITY_POLICY);
    else if (nextHandler && !(ohif && isOhifPath(pathname))) preparePortalResponse(req, res, pathname, { dev: options.dev ?? false });
    const route =
      pathname === '/dicomweb' || pathname.startsWith('/dicomweb/')
        ? dicomweb(req, res)
        : isFederationPath(pathname)
          ? federation(req, res)
        : pathname === HEALTH_PATH
          ? serveHealth(runtime, req, res)
          : pathname === '/wado'
            ? wadoUri(req, res)
            : ohif && isOhifPath(pathname)
              ? ohif(req, res)
              : nextHandler
                ? nextHandler(req, res)
                : notFound(res);
    Promise.resolve(route).catch((error: unknown) => {
      logger.error('request failed', { path: pathname, error: String(error) });
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('internal error');
      } else res.destroy();
    });
  });
  // Headers, idle bodies and keep-alive bounded; no total request time (large STOW uploads take minutes)
  applyHttpTimeouts(server, config.http, logger);
  runtime.io = attachRealtime(server, runtime, redis && (await socketAdapterFor(redis, runtime.shared)));
  // Images arriving for an emergency transfer notice (an unidentified patient's temporary ID, a study still being sent)
  const stopFollowingTransfers = followArrivingImages(runtime);
  // Images arriving for an imaging order (its Study Instance UID or accession number): the order shows them
  const stopFollowingOrders = followArrivingOrderImages(runtime);
  // The data bridge's MLLP listener (HL7_PORT; off when unset)
  const hl7 = await startHl7Listener(runtime);
  // socket.io answers /socket.io itself, before the handler above: same headers.
  runtime.io.engine.on('headers', (headers: Record<string, string>, req: IncomingMessage) => {
    Object.assign(headers, BASE_SECURITY_HEADERS);
    const { secure } = resolveClientAddress(
      { headers: req.headers, remoteAddress: req.socket.remoteAddress, secure: (req.socket as { encrypted?: boolean }).encrypted === true },
      config.trustProxy,
    );
    if (secure) headers['strict-transport-security'] = `max-age=${HSTS_MAX_AGE_SECONDS}`;
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  listeningPort = port;
  if (config.trustProxy && !config.publicUrl) {
    logger.warn('TRUST_PROXY is set without PUBLIC_URL: requests the proxy forwards with the public host name are refused (421) until PUBLIC_URL names it');
  }
  // E-mail (SMTP_URL): is the relay there? A warning only: mails wait in the job queue and are retried
  if (config.mail) void checkMailRelay(config.mail, logger);

  // DIMSE: peers from DICOM_PEERS belong to the node's home facility, peers
  // registered by an admin (DicomPeer table, read at each association) to
  // theirs; what a peer stores goes there and its queries see that facility.
  // Who may associate at all, and where a C-MOVE may send, are lib/policy's decisions.
  const peerByAet = (aet: string) => findDicomPeer(db, { configuredPeers: config.dicomPeers, homeFacilityId: firstRun.facilityId }, aet);
  const resolveHost = createHostResolver();
  const dimse = await startDimseServer(archive, {
    port: config.dicomPort,
    aet: config.dicomAet,
    tls: config.dicomTls && { port: config.dicomTls.port, credentials: config.dicomTls },
    logger,
    limits: config.dicomLimits,
    proxyProtocolFrom: config.dicomLimits.proxyProtocolFrom,
    maxDatasetBytes: config.dicomMaxDatasetBytes,
    authorizeAssociation: (request) => authorizeDicomAssociation({ findPeer: peerByAet, resolveHost }, request),
    resolvePeer: (aet, requester) => dicomMoveDestination(peerByAet, aet, requester),
    audit: async (event) =>
      writeAuditEvent(
        db,
        {
          actor: `AE:${event.callingAet}`,
          action: event.action,
          outcome: event.outcome,
          // An event without a study's facility (C-FIND) belongs to the
          // calling peer's facility (a refusal names it: the policy knows the
          // peer), and an unknown AE title knocked on the home facility's
          // door: or no administrator would ever see it in the audit view.
          facilityId: event.facilityId ?? (await peerByAet(event.callingAet))?.facilityId ?? firstRun.facilityId,
          patientId: event.patientId,
          studyUid: event.studyUid,
          resource: event.resource,
          sourceIp: event.remoteAddress,
          details: event.details as AuditDetails<ArchiveAuditAction> | undefined,
        },
        logger,
      ),
  }).catch(async (error: unknown) => {
    // e.g. DICOM_PORT already in use: do not leave the HTTP side half started
    await new Promise<void>((resolve) => server.close(() => resolve()));
    runtime.io?.close();
    await closeLiveStore(runtime);
    await closeIndexConnection(indexConnection);
    await db.$disconnect();
    stopSharingInvalidation();
    redis?.disconnect();
    throw error;
  });
  const url = `http://127.0.0.1:${port}`;
  // Where paired nodes reach this one when PUBLIC_URL is unset (lib/federation); the identity made now, not at the first pairing
  setListeningUrl(runtime.shared, url);
  loadNodeIdentity(config.dataDir);
  // Series metadata is cached per base URL (its BulkDataURIs are absolute):
  // warm the URLs clients will use once a series has settled after ingest.
  const warmer = startSeriesMetadataWarmer(
    archive,
    config.publicUrl ? [`${config.publicUrl}/dicomweb`] : [`http://localhost:${port}/dicomweb`, `http://127.0.0.1:${port}/dicomweb`],
  );
  logger.info('telepacs listening', { url, portal, database: config.databaseKind, dataDir: config.dataDir });

  // Expired sessions are refused anyway; removing them keeps the table small.
  const sessionSweep = setInterval(() => {
    deleteExpiredSessions(db).catch((error: unknown) => logger.warn('could not delete expired sessions', { error: String(error) }));
  }, 60 * 60 * 1000);
  sessionSweep.unref();

  // Background jobs (lib/jobs): last, once everything their handlers use is up.
  // JOBS_CONCURRENCY=0 leaves them to another process of this node.
  const jobs: JobRunner | undefined =
    config.jobsConcurrency > 0
      ? startJobRunner({ db, kind: config.databaseKind, archive, logger, io: runtime.io, registry: createJobRegistry(jobDefinitions(config, { warmSeries: (ids) => warmer.warmNow(ids), shared: runtime.shared })), concurrency: config.jobsConcurrency })
      : undefined;

  let closing: Promise<void> | undefined;
  return {
    url,
    dicomwebUrl: `${url}/dicomweb`,
    runtime,
    db,
    archive,
    dicomPort: dimse.port,
    dicomTlsPort: dimse.tlsPort,
    dicomConnections: () => dimse.openConnections,
    hl7Port: hl7?.port,
    firstRun,
    // Once, whoever asks (a SIGINT to the process group and the cluster primary's SIGTERM both do)
    close: () => (closing ??= closeNode()),
  };

  async function closeNode(): Promise<void> {
    stopFollowingTransfers();
    stopFollowingOrders();
    await hl7?.close();
    await dimse.close();
    warmer.stop();
    clearInterval(sessionSweep);
    await new Promise<void>((resolve) => {
      runtime.io?.close();
      server.close(() => resolve());
      server.closeAllConnections();
    });
    // Closing socket.io made every live-session tab leave: their writes finish before the database closes
    await settleConsultHandlers(runtime);
    await closeLiveStore(runtime);
    // Running jobs finish (or are given back) while the archive and database are still open
    await jobs?.stop();
    await nextApp?.close?.();
    await auditQueueFor(runtime).flush(true);
    await closeIndexConnection(indexConnection);
    await db.$disconnect();
    stopSharingInvalidation();
    redis?.disconnect();
    setRuntime(undefined);
  }
}

// RFC 9110 15.5.20: this server does not answer for that authority. Drained
// first, so the client reads the answer instead of a reset connection.
function misdirected(req: IncomingMessage, res: import('node:http').ServerResponse, logger: Logger): void {
  logger.warn('request for a host this server does not answer refused', { host: String(req.headers.host ?? '').slice(0, 200), path: (req.url ?? '').split('?')[0].slice(0, 200) });
  req.resume();
  res.statusCode = 421;
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end('Misdirected Request: this server answers only for its PUBLIC_URL or its own names and addresses.\n');
}

function notFound(res: import('node:http').ServerResponse): void {
  res.statusCode = 404;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ error: 'not found' }));
}
