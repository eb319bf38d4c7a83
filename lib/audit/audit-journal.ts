// The audit queue's journal: every read event is appended to a file under
// DATA_DIR/audit-journal/ the moment it is stamped — one write() per event,
// synchronously, before the request it records is answered — and the file
// is removed once the batch it holds is committed to the database. A process
// killed in between (kill -9, OOM killer, a crash) leaves its segments; the
// next start replays them. Each event carries the id it will have as a row,
// so a replay inserts only the ids not there yet: exactly once, even when
// the process died after the commit and before the unlink.
//
// No fsync: the bytes are in the kernel's page cache when write() returns,
// which survives the death of the process but not of the machine (a power
// cut or kernel panic loses what the kernel had not yet written back, by
// default at most ~30 s: vm.dirty_expire_centisecs). An fsync per event
// would cost a disk flush per DICOMweb frame.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../../pacs-core/logger';
import type { AuditRow } from './record-audit';

const SUFFIX = '.jsonl';
// <pid>-<run>-<sequence>.jsonl: the pid tells a live process's segments from a dead one's
const NAME = /^(\d+)-([0-9a-f]+)-(\d+)\.jsonl$/;

// A segment is closed and a new one begun at most this often (or after this
// many events): opening, closing and removing a file per group commit cost
// more than the write() itself on the frame path (bench/audit-journal.ts).
const SEGMENT_MAX_AGE_MS = 1000;
const SEGMENT_MAX_EVENTS = 10_000;

export class AuditJournal {
  private readonly run = randomBytes(6).toString('hex');
  private sequence = 0;
  private current: { path: string; fd: number; openedAt: number; events: number } | undefined;

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Appends one row (one write(): a concurrent reader or a crash never sees half of a line that was reported written). */
  append(row: AuditRow): void {
    this.current ??= this.open();
    writeSync(this.current.fd, `${JSON.stringify(row)}\n`);
    this.current.events += 1;
  }

  /** The segment being written (the one the events queued now are in). */
  get currentSegment(): string | undefined {
    return this.current?.path;
  }

  /** Closes the segment being written when it is old or full enough (always with `force`) and returns its path; the next append starts a new one. */
  seal(force = false): string | undefined {
    const sealed = this.current;
    if (!sealed) return undefined;
    if (!force && Date.now() - sealed.openedAt < SEGMENT_MAX_AGE_MS && sealed.events < SEGMENT_MAX_EVENTS) return undefined;
    this.current = undefined;
    closeSync(sealed.fd);
    return sealed.path;
  }

  /** The batch of a sealed segment is committed: it is no longer needed. */
  remove(segment: string): void {
    try {
      unlinkSync(segment);
    } catch (error) {
      this.logger.warn('committed audit journal segment could not be removed (replayed harmlessly at next start)', { segment, error: String(error) });
    }
  }

  private open(): { path: string; fd: number; openedAt: number; events: number } {
    const file = path.join(this.dir, `${process.pid}-${this.run}-${String(this.sequence++).padStart(9, '0')}${SUFFIX}`);
    return { path: file, fd: openSync(file, 'a'), openedAt: Date.now(), events: 0 };
  }

  /** Segments another process left behind: those whose process is gone (or is this one, restarted under the same pid). */
  orphanedSegments(): string[] {
    return readdirSync(this.dir)
      .filter((name) => {
        const match = NAME.exec(name);
        if (!match) return false;
        if (match[2] === this.run) return false;
        const pid = Number(match[1]);
        return pid === process.pid || !processIsAlive(pid);
      })
      .sort()
      .map((name) => path.join(this.dir, name));
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The rows of a segment; a last line cut short by the crash is skipped (it was never reported written). */
export function readSegment(file: string, logger: Logger): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const row = JSON.parse(line) as AuditRow & { at: string };
      rows.push({ ...row, at: new Date(row.at) });
    } catch {
      logger.warn('unreadable audit journal line skipped', { segment: file, line: line.slice(0, 200) });
    }
  }
  return rows;
}
