// federation.send-study: one transfer to a paired node, by DICOMweb. Each attempt:
//   1. stops if the share's basis ended (the grant revoked: a consent withdrawn) — CANCELLED;
//   2. asks the receiver which of the instances it already holds with the same SHA-256
//      (POST /federation/v1/transfers/inventory): those are skipped, so an attempt after an
//      interruption (either node restarted, the link down) resumes where it stopped and
//      never makes a duplicate;
//   3. sends the rest by STOW-RS in batches (BATCH_INSTANCES, BATCH_BYTES), each signed with
//      the SHA-256 of every instance in it as the archive recorded it at ingest; the receiver
//      stores a part only when its bytes hash to that, so a part changed on the way or a file
//      damaged here is refused there, never stored as if whole. The body is streamed as its
//      pieces (no joined copy). IN_FLIGHT batches travel at once and the next one is read meanwhile: the
//      receiver ingests one part at a time per request (file and index each made durable), so
//      one request at a time left both nodes mostly waiting (bench/federation-transfer.ts);
//   4. records the progress after every batch ("312/500"), DONE at the end; a routine transfer
//      pauses between batches while an emergency one is being sent (notices/yield-to-emergencies.ts).
// A failure (the node down, a refusal) throws: the job runner retries with backoff, the row
// says why it waits (lastError); after the attempts it is FAILED in the facility's failing jobs.
import { recordAudit } from '../../audit/record-audit';
import { defineJob, type JobContext, type JobDefinition } from '../../jobs/registry';
import { federationSelf, type FederationConfig } from '../federation-self';
import { FederationCallError, callPeer, callPeerJson } from '../node-client';
import type { NodeActor } from '../signed-request';
import { JOINED_TRANSFER_SOURCES } from './receive-transfer';
import { yieldToEmergencyTransfers } from '../notices/yield-to-emergencies';

export interface SendStudyJobPayload {
  transferId: string;
}

export const BATCH_INSTANCES = 25;
export const BATCH_BYTES = 32 * 1024 * 1024;
/**
 * STOW-RS requests of one transfer in flight at once. Two: the receiver ingests one while the
 * other arrives, and two transfers asserted by the same person stay within the receiver's
 * uploads per user (STOW_CONCURRENT_PER_USER, 4 by default), which would answer 503.
 */
export const IN_FLIGHT = 2;

export interface SendStudyJobOptions {
  config: FederationConfig;
  shared: Map<string, unknown>;
}

type Instance = { sopInstanceUid: string; sha256: string; blobKey: string; size: number };

export function createSendStudyJob(options: SendStudyJobOptions): JobDefinition<'federation.send-study'> {
  return defineJob('federation.send-study', async (payload, context) => sendStudy(options, payload, context));
}

async function sendStudy(options: SendStudyJobOptions, payload: SendStudyJobPayload, context: JobContext): Promise<void> {
  const { db } = context;
  const transfer = await db.federatedTransfer.findUnique({ where: { id: payload.transferId } });
  if (!transfer || transfer.direction !== 'OUT' || transfer.status === 'DONE' || transfer.status === 'CANCELLED') return;
  const note = (data: Record<string, unknown>) => db.federatedTransfer.update({ where: { id: transfer.id }, data });
  const stop = async (status: 'CANCELLED' | 'FAILED', why: string) => {
    await note({ status, lastError: why, finishedAt: new Date() });
    await audit(context, transfer, 'FAILURE', { state: status, reason: why });
  };

  const grant = transfer.grantId ? await db.accessGrant.findUnique({ where: { id: transfer.grantId }, select: { revokedAt: true, validUntil: true, revokeReason: true } }) : null;
  if (!grant || grant.revokedAt || (grant.validUntil && grant.validUntil <= new Date())) return stop('CANCELLED', `the share's basis ended${grant?.revokeReason ? ` (${grant.revokeReason})` : ''}: nothing more is sent`);
  if (!transfer.studyRef) return stop('FAILED', 'the study was deleted from this archive');

  const peer = await db.nodePeer.findUnique({ where: { id: transfer.peerId }, select: { id: true, nodeId: true, name: true, url: true, status: true } });
  if (!peer || peer.status === 'UNPAIRED') return stop('FAILED', 'the node is no longer paired');
  if (peer.status !== 'ACTIVE') {
    await note({ lastError: `waiting: the pairing with ${peer.name} is suspended` });
    throw new Error(`transfer ${transfer.id}: the pairing with ${peer.name} is suspended`);
  }
  const [target, facility, requester] = await Promise.all([
    db.facility.findUnique({ where: { id: transfer.remoteFacilityId }, select: { remoteId: true, name: true } }),
    db.facility.findUniqueOrThrow({ where: { id: transfer.localFacilityId }, select: { id: true, name: true, code: true } }),
    transfer.requestedById ? db.user.findUnique({ where: { id: transfer.requestedById }, select: { id: true, name: true, email: true, nodePeerId: true } }) : null,
  ]);
  if (!target?.remoteId) return stop('FAILED', 'the destination facility is gone');
  // Who sends, as the receiver will record it: the clinician who asked; for a send asked by a person of
  // another node (a Retrieve from their patient page) the sending facility itself, not a mirror of a mirror
  const asker = requester && !requester.nodePeerId ? requester : null;
  const actor: NodeActor = { id: asker?.id ?? `facility:${facility.id}`, name: asker?.name ?? `Telepacs (${facility.name})`, email: asker?.email ?? '', facility: { id: facility.id, name: facility.name, code: facility.code } };

  const seriesUids = JSON.parse(transfer.seriesUids) as string[];
  const instances: Instance[] = await db.instance.findMany({
    where: { series: { studyRef: transfer.studyRef, ...(seriesUids.length ? { seriesInstanceUid: { in: seriesUids } } : {}) } },
    select: { sopInstanceUid: true, sha256: true, blobKey: true, size: true },
    orderBy: [{ seriesRef: 'asc' }, { instanceNumber: 'asc' }, { sopInstanceUid: 'asc' }],
  });
  const { identity } = federationSelf(options.config, options.shared);
  await note({ status: 'SENDING', total: instances.length });

  try {
    const inventory = await callPeerJson<{ have: string[] }>(identity, peer, {
      method: 'POST',
      path: '/transfers/inventory',
      idempotent: true,
      actor,
      json: { transferId: transfer.transferId, studyInstanceUid: transfer.studyInstanceUid, facilityId: target.remoteId, total: instances.length, priority: transfer.priority, ...((JOINED_TRANSFER_SOURCES as readonly (string | null)[]).includes(transfer.sourceType) && transfer.sourceId ? { source: { type: transfer.sourceType, id: transfer.sourceId } } : {}), instances: instances.map((instance) => ({ sopInstanceUid: instance.sopInstanceUid, sha256: instance.sha256 })) },
    });
    const have = new Set(inventory.have ?? []);
    const missing = instances.filter((instance) => !have.has(instance.sopInstanceUid));
    const done = instances.length - missing.length;
    // Already there before the first attempt sent anything (a later attempt finds its own work)
    const skipped = transfer.status === 'QUEUED' ? done : transfer.skipped;
    await note({ done, skipped, lastError: null });

    // Each batch is read (prepare) before its request starts, one batch ahead of
    // the requests in flight; a failure stops the taking of new batches, lets the requests in
    // flight finish, and is thrown (the next attempt resumes from the inventory).
    const queue = batches(missing);
    const prepareNext = () => {
      const next = queue.next();
      if (next.done) return null;
      const prepared = prepareBatch(context, next.value);
      prepared.catch(() => undefined); // awaited by the worker that takes it; never an unhandled rejection meanwhile
      return prepared;
    };
    let ahead = prepareNext();
    let failure: { error: unknown } | undefined;
    let progress: Promise<unknown> = Promise.resolve();
    const worker = async () => {
      while (!failure && ahead) {
        // A routine transfer waits while a notice's images are being sent (issue 19)
        await yieldToEmergencyTransfers(db, transfer.priority);
        // The other worker may have taken the last batch while this one waited
        const current = ahead;
        if (!current) break;
        ahead = prepareNext();
        try {
          const { body, hashes, count } = await current;
          const boundary = `telepacs-${crypto.randomUUID()}`;
          const response = await callPeer(identity, peer, {
            method: 'POST',
            path: `/stow/studies/${transfer.studyInstanceUid}?transfer=${encodeURIComponent(transfer.transferId)}`,
            idempotent: true,
            actor,
            accept: 'application/dicom+json',
            body: { bytes: multipart(body, boundary), contentType: `multipart/related; type="application/dicom"; boundary=${boundary}`, instances: hashes },
            timeoutMs: 300_000,
          });
          const answer = (await response.json().catch(() => ({}))) as Record<string, { Value?: Record<string, { Value?: string[] }>[] }>;
          const stored = answer['00081199']?.Value?.length ?? 0;
          const failures = (answer['00081198']?.Value ?? []).map((item) => item['00000902']?.Value?.[0]).filter(Boolean);
          // An increment: the batches in flight answer in any order. Written behind the next
          // request (a chain, awaited before DONE), not before it: a progress row is no reason to wait
          if (stored) progress = progress.then(() => note({ done: { increment: stored } }));
          if (failures.length || response.status !== 200) throw new FederationCallError(`${peer.name} did not store ${count - stored} of ${count}: ${failures.join('; ') || `HTTP ${response.status}`}`, response.status);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await progress;
    if (failure) throw failure.error;
    await note({ status: 'DONE', done: instances.length, lastError: null, finishedAt: new Date() });
    await audit(context, { ...transfer, total: instances.length }, 'SUCCESS', { state: 'DONE', done: instances.length, skipped });
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    await note({ lastError: why.slice(0, 1000) });
    if (context.job.attempts >= context.job.maxAttempts) await stop('FAILED', why.slice(0, 1000));
    throw error;
  }
}

function* batches(instances: Instance[]): Generator<Instance[]> {
  let batch: Instance[] = [];
  let bytes = 0;
  for (const instance of instances) {
    if (batch.length && (batch.length >= BATCH_INSTANCES || bytes + instance.size > BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(instance);
    bytes += instance.size;
  }
  if (batch.length) yield batch;
}

/**
 * A batch's bytes, read ahead of its request. Not hashed here: the batch's token signs the SHA-256
 * recorded when each instance was stored, and the receiver stores a part only when its bytes hash
 * to that (pacs-core expectedSha256) — a file damaged in this archive is refused there, named, and
 * the transfer fails with that reason; hashing it here too cost a whole pass over the study on the
 * sender's CPU, which the receiver shares on one machine (bench/federation-transfer.ts).
 */
async function prepareBatch(context: JobContext, batch: Instance[]): Promise<{ body: Buffer[]; hashes: Record<string, string>; count: number }> {
  const body = await Promise.all(batch.map((instance) => context.archive.store.get(instance.blobKey)));
  return { body, hashes: Object.fromEntries(batch.map((instance) => [instance.sopInstanceUid, instance.sha256])), count: batch.length };
}

/** The multipart/related body's pieces in order: each part's headers, its bytes as read, the closing boundary (streamed, not joined). */
function multipart(parts: Buffer[], boundary: string): Buffer[] {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\nContent-Length: ${part.length}\r\n\r\n`), part, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return pieces;
}

async function audit(context: JobContext, transfer: { id: string; localFacilityId: string; studyInstanceUid: string; total: number; peerId: string }, outcome: 'SUCCESS' | 'FAILURE', details: { state: string; done?: number; skipped?: number; reason?: string }): Promise<void> {
  const peer = await context.db.nodePeer.findUnique({ where: { id: transfer.peerId }, select: { nodeId: true, name: true } });
  await recordAudit(context.db, {
    actor: 'system',
    actorUserId: null,
    outcome,
    action: 'federation.send',
    facilityId: transfer.localFacilityId,
    studyUid: transfer.studyInstanceUid,
    resource: `federated-transfer:${transfer.id}`,
    details: { transferId: transfer.id, peerNodeId: peer?.nodeId, peerName: peer?.name, total: transfer.total, ...details },
  });
}
