// Group commit for audit events of high-rate reads (DICOMweb metadata, frames,
// searches): a viewer opening a 500-image series makes hundreds of requests,
// and one INSERT + fsync each (~2-4 ms here) was a third of a cached metadata
// request. Events are stamped with the time of the access, queued, and written
// in one multi-row INSERT a few milliseconds later; close() flushes. What can
// be lost is what a crash interrupts within that window — never silently: a
// failed write logs every event in full.
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import { auditEventData, type AuditEventInput } from './write-audit-event';

const FLUSH_DELAY_MS = 5;
const MAX_BATCH = 500;

export class AuditQueue {
  private pending: (AuditEventInput & { at: Date })[] = [];
  private timer: NodeJS.Timeout | undefined;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Pick<Database, 'auditEvent'>,
    private readonly logger: Logger,
  ) {}

  enqueue(event: AuditEventInput): void {
    this.pending.push({ ...event, at: new Date() });
    if (this.pending.length >= MAX_BATCH) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_DELAY_MS);
  }

  /** Writes everything queued so far; resolves when it is committed (or logged). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.tail = this.tail.then(() => this.write(batch));
    return this.tail;
  }

  private async write(batch: (AuditEventInput & { at: Date })[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.db.auditEvent.createMany({ data: batch.map((event) => ({ ...auditEventData(event), at: event.at })) });
    } catch (error) {
      this.logger.error('audit events could not be written', {
        error: error instanceof Error ? error.message : String(error),
        auditEvents: batch.map((event) => ({ ...auditEventData(event), at: event.at.toISOString() })),
      });
    }
  }
}

/** The process's queue (shared by the tsx server and Next's bundles through runtime.shared). */
export function auditQueueFor(context: { db: Pick<Database, 'auditEvent'>; logger: Logger; shared: Map<string, unknown> }): AuditQueue {
  let queue = context.shared.get('audit-queue') as AuditQueue | undefined;
  if (!queue) {
    queue = new AuditQueue(context.db, context.logger);
    context.shared.set('audit-queue', queue);
  }
  return queue;
}
