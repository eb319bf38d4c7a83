// Group commit for audit events of high-rate reads (DICOMweb metadata, frames,
// searches, page views, refused attempts): a viewer opening a 500-image
// series makes hundreds of requests, and one INSERT + fsync each (~2-4 ms
// here) was a third of a cached metadata request. Each event is stamped (its
// row id and the time of the access), appended to the journal under
// DATA_DIR/audit-journal/ before enqueue returns — so before the request is
// answered — and written with the others of the next few milliseconds in one
// multi-row INSERT; the journal segment is removed after the commit. A crash
// in between loses nothing: the next start replays the segments left behind
// (audit-journal.ts says exactly what survives what). A failed INSERT (the
// database away: a restart, a failover) logs every event, keeps its segment
// and tries the events again every few seconds while the process runs (only
// the ids not in the table yet); a process stopped before that leaves the
// segment to the next start's replay.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import type { AuditAction } from './actions';
import { AuditJournal, readSegment } from './audit-journal';
import { auditRow, type AuditEvent, type AuditRow } from './record-audit';

const FLUSH_DELAY_MS = 5;
const MAX_BATCH = 500;
// Ids asked for at once when a replay checks which rows are already in
const REPLAY_CHUNK = 500;
// Failed events are tried again after 1 s, then twice as long each time, at most every 30 s
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;
// Failed events held in memory for the retry (about 1 KB each); older ones wait in the journal for the next start
const MAX_RETRY_ROWS = 20_000;

export type AuditQueueDatabase = Pick<Database, 'auditEvent'>;

let counter = 0;
const fingerprint = randomBytes(4).readUInt32BE(0).toString(36).padStart(7, '0').slice(-4);

/**
 * A row id made at stamp time, shaped like Prisma's cuid() (the column's
 * default): 'c', time, a counter, this process, randomness — so rows of one
 * millisecond keep their order in the view (ordered by at, then id).
 */
export function newAuditEventId(now = Date.now()): string {
  counter = (counter + 1) % 36 ** 4;
  return `c${now.toString(36).padStart(8, '0')}${counter.toString(36).padStart(4, '0')}${fingerprint}${randomBytes(6).readUIntBE(0, 6).toString(36).padStart(8, '0').slice(-8)}`;
}

// Each database client's queue, for writeAuditEvent to hand an event to when the database is away
const queueOfDatabase = new WeakMap<object, AuditQueue>();

export function auditQueueOfDatabase(db: object): AuditQueue | undefined {
  return queueOfDatabase.get(db);
}

export class AuditQueue {
  private pending: AuditRow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();
  /** Segments holding an event whose INSERT failed: kept until a retry writes it, or for the next start's replay */
  private readonly keep = new Set<string>();
  /** Kept segments already sealed: removed when the retry has written every failed event */
  private readonly sealedKept = new Set<string>();
  /** Events whose INSERT failed, waiting for the retry */
  private failed: AuditRow[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_FIRST_MS;
  /** Failed events were dropped from memory (MAX_RETRY_ROWS): their segments wait for the next start */
  private overflowed = false;

  constructor(
    private readonly db: AuditQueueDatabase,
    private readonly logger: Logger,
    /** Absent: events wait in memory only (unit tests without a DATA_DIR) */
    private readonly journal?: AuditJournal,
  ) {
    queueOfDatabase.set(db, this);
  }

  enqueue<A extends AuditAction>(event: AuditEvent<A>): void {
    const at = new Date();
    const row = auditRow(event, { id: newAuditEventId(at.getTime()), at });
    if (this.journal) {
      try {
        this.journal.append(row);
      } catch (error) {
        // A full disk must not stop the reading: the event is still queued (and logged if its INSERT fails)
        this.logger.error('audit event could not be journalled', { error: String(error), auditEvent: row });
      }
    }
    this.pending.push(row);
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /**
   * Writes everything queued so far; resolves when it is committed (or
   * logged). `final` (at close) also closes the journal segment, so that a
   * clean stop leaves none behind.
   */
  flush(final = false): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    // The batch's events are in the segment being written (enqueue appends and pushes together,
    // synchronously); sealed, that segment is removed once this batch — the last of its events,
    // the earlier ones committed before it by the chain — is committed.
    const segment = this.journal?.currentSegment;
    const sealed = this.journal?.seal(final);
    this.tail = this.tail.then(() => this.write(batch, segment, sealed));
    return this.tail;
  }

  private async write(batch: AuditRow[], segment: string | undefined, sealed: string | undefined): Promise<void> {
    if (batch.length) {
      try {
        await this.db.auditEvent.createMany({ data: batch });
      } catch (error) {
        if (segment) this.keep.add(segment);
        this.failed.push(...batch);
        // A long outage: memory keeps the newest events for the retry, the journal keeps all of them
        if (this.failed.length > MAX_RETRY_ROWS) {
          this.failed.splice(0, this.failed.length - MAX_RETRY_ROWS);
          this.overflowed = true;
        }
        this.logger.error('audit events could not be written (tried again shortly; their journal segment is replayed at the next start)', {
          error: error instanceof Error ? error.message : String(error),
          segment,
          auditEvents: batch,
        });
        this.scheduleRetry();
      }
    }
    if (sealed && !this.keep.has(sealed)) this.journal?.remove(sealed);
    else if (sealed) this.sealedKept.add(sealed);
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.tail = this.tail.then(() => this.retryFailed());
    }, this.retryDelayMs);
    // A process may stop with events still failing: they are in the journal for the next start
    this.retryTimer.unref();
  }

  private async retryFailed(): Promise<void> {
    if (!this.failed.length) return;
    const rows = this.failed;
    this.failed = [];
    try {
      const added = await this.insertMissing(rows);
      this.retryDelayMs = RETRY_FIRST_MS;
      this.logger.warn('audit events written on retry', { added });
      // Events left out of memory are still in their segments: those stay for the next start's replay
      if (this.overflowed) return;
      for (const segment of this.sealedKept) this.journal?.remove(segment);
      this.keep.clear();
      this.sealedKept.clear();
    } catch {
      this.failed = rows.concat(this.failed);
      this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
      this.scheduleRetry();
    }
  }

  /**
   * Inserts the events of segments a previous process left (killed before
   * its commit, or before removing a committed segment): only the ids not in
   * the table yet. Returns how many rows it added.
   */
  async replayJournal(): Promise<number> {
    if (!this.journal) return 0;
    let added = 0;
    for (const segment of this.journal.orphanedSegments()) {
      try {
        added += await this.insertMissing(readSegment(segment, this.logger));
        this.journal.remove(segment);
      } catch (error) {
        // Kept for the next start; the server starts all the same
        this.logger.error('audit journal segment could not be replayed', { segment, error: error instanceof Error ? error.message : String(error) });
      }
    }
    if (added) this.logger.warn('audit events of a previous run replayed from the journal', { added });
    return added;
  }

  private async insertMissing(rows: AuditRow[]): Promise<number> {
    const unique = [...new Map(rows.map((row) => [row.id, row])).values()];
    let added = 0;
    for (let start = 0; start < unique.length; start += REPLAY_CHUNK) {
      const chunk = unique.slice(start, start + REPLAY_CHUNK);
      const present = await this.db.auditEvent.findMany({ where: { id: { in: chunk.map((row) => row.id!) } }, select: { id: true } });
      const known = new Set(present.map((row) => row.id));
      const missing = chunk.filter((row) => !known.has(row.id!));
      if (missing.length) await this.db.auditEvent.createMany({ data: missing });
      added += missing.length;
    }
    return added;
  }
}

export interface AuditQueueContext {
  db: AuditQueueDatabase;
  logger: Logger;
  shared: Map<string, unknown>;
  /** With a data directory, the queue journals under DATA_DIR/audit-journal */
  config?: { dataDir: string };
}

/** The process's queue (shared by the tsx server and Next's bundles through runtime.shared). */
export function auditQueueFor(context: AuditQueueContext): AuditQueue {
  let queue = context.shared.get('audit-queue') as AuditQueue | undefined;
  if (!queue) {
    const journal = context.config?.dataDir ? new AuditJournal(path.join(context.config.dataDir, 'audit-journal'), context.logger) : undefined;
    queue = new AuditQueue(context.db, context.logger, journal);
    context.shared.set('audit-queue', queue);
  }
  return queue;
}
