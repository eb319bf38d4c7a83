import { echoPeer, type EchoFailure } from '../../pacs-core/dimse/echo';
import { writeAuditEvent } from '../audit/write-audit-event';
import type { AdminActor, AdminContext } from '../admin/context';
import { PolicyError } from '../policy/errors';
import { authorizeAdminArea } from '../policy/admin-area';
import { listDicomPeers } from './list-dicom-peers';

export type DicomPeerEchoOutcome = 'success' | EchoFailure;

export interface DicomPeerEcho {
  ok: boolean;
  outcome: DicomPeerEchoOutcome;
  /** What the admin page shows, e.g. "C-ECHO succeeded in 12 ms" */
  message: string;
  /** C-ECHO-RQ to C-ECHO-RSP, success only */
  echoMs?: number;
  aet: string;
  host: string;
  port: number;
}

const ECHO_TIMEOUT_MS = 10_000;

const FAILURE_MESSAGES: Record<EchoFailure, string> = {
  'association-rejected': 'The peer refused the association',
  'echo-failed': 'The peer answered the C-ECHO with a failure',
  'no-dicom-answer': 'No DICOM answer from this peer',
};

/**
 * Runs a real C-ECHO from our AE title to one of the facility's peers (a
 * registered one by id, or a DICOM_PEERS one by its AE title) and audits it.
 *
 * The button must not become a port scanner of the hospital network: an
 * administrator may enter any host and port, so the answer says only what
 * DICOM says (success, the association refused, the C-ECHO failed, or no
 * DICOM answer) — never "connection refused", "host unreachable" or "not
 * DICOM", which tell an open port from a closed or filtered one. Those
 * details go to the server log only (not to the audit trail either, which the
 * same administrator reads). "No DICOM answer" also always takes the whole
 * timeout, so the time to answer does not tell them apart either.
 */
export async function echoDicomPeer(
  context: AdminContext,
  actor: AdminActor,
  facilityId: string,
  peerKey: { id?: string; aet?: string },
  options: { timeoutMs?: number } = {},
): Promise<DicomPeerEcho> {
  const { db, config, logger } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const peers = await listDicomPeers(db, config.dicomPeers, facilityId);
  const peer = peers.find((candidate) => (peerKey.id ? candidate.id === peerKey.id : candidate.source === 'configuration' && candidate.aet === peerKey.aet));
  if (!peer) throw new PolicyError('NOT_FOUND', 'DICOM peer not found');
  const timeoutMs = options.timeoutMs ?? ECHO_TIMEOUT_MS;
  const started = Date.now();
  const result = await echoPeer(peer, { callingAet: config.dicomAet, tls: config.dicomTls, timeoutMs });
  const outcome: DicomPeerEchoOutcome = result.ok ? 'success' : result.failure;
  if (!result.ok) {
    logger.warn('C-ECHO to a DICOM peer failed', { facilityId, aet: peer.aet, host: peer.host, port: peer.port, failure: result.failure, error: result.error });
    if (result.failure === 'no-dicom-answer') await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + timeoutMs - Date.now())));
  }
  await writeAuditEvent(
    db,
    {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'admin.echo_dicom_peer',
      outcome: result.ok ? 'SUCCESS' : 'FAILURE',
      facilityId,
      sourceIp: actor.ip,
      resource: `dicom-peer:${peer.id ?? `config:${peer.aet}`}`,
      details: { aet: peer.aet, host: peer.host, port: peer.port, tls: peer.tls, outcome, ...(result.ok ? { echoMs: result.echoMs } : {}) },
    },
    logger,
  );
  const echoMs = result.ok ? Math.round(result.echoMs) : undefined;
  return {
    ok: result.ok,
    outcome,
    message: result.ok ? `C-ECHO succeeded in ${echoMs} ms` : FAILURE_MESSAGES[result.failure],
    ...(echoMs !== undefined ? { echoMs } : {}),
    aet: peer.aet,
    host: peer.host,
    port: peer.port,
  };
}
