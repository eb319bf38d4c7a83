// The ingest and deletion locks, keyed by a study's or an instance's UID
// (pacs-core/ingest.ts explains what each one guards).
//
// Within a process a KeyedMutex queues the work of one key. On PostgreSQL
// several processes (TELEPACS_WORKERS, or several machines) may write one
// database, so the holder of a key also holds a PostgreSQL session-level
// advisory lock on it, on a connection of its own:
// - advisory, not row locks: the rows a study lock guards do not exist yet
//   (it serializes their creation), and a SOP lock spans a file write between
//   two statements on other connections;
// - pg_try_advisory_lock, polled, never the blocking form: the one lock
//   connection serves every key of the process, and a blocked call would hold
//   up the unlocks queued behind it (a deadlock between two processes);
// - the unlock is not awaited: it is queued on that connection before any
//   later lock attempt of the process, so it cannot be overtaken.
// If the lock connection drops (a PostgreSQL restart), its locks are gone with
// it: the holders of that moment finish unguarded (a duplicate then fails on
// the unique (facility, SOP Instance UID) index, not silently), new attempts
// reconnect. SQLite is one process's database: the KeyedMutex is the lock.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { KeyedMutex } from '../keyed-mutex';

export type LockScope = 'study' | 'sop';

export interface UidLocks {
  run<T>(scope: LockScope, uid: string, work: () => Promise<T>): Promise<T>;
}

const FIRST_WAIT_MS = 2;
const LONGEST_WAIT_MS = 50;

// One set per process, whichever archive object takes them (tests open several on one database)
const mutexes = { study: new KeyedMutex(), sop: new KeyedMutex() };

/** In-process only (SQLite, tests of one process). */
export function createLocalLocks(): UidLocks {
  return {
    run: (scope, uid, work) => mutexes[scope].run(uid, work),
  };
}

/**
 * In-process and across every process on the same PostgreSQL database.
 * `connection`: a pool of one connection that is never closed for idleness
 * (that would end its locks): IndexConnection's lockPool, closed with it.
 */
export function createPostgresLocks(connection: pg.Pool): UidLocks {
  const local = createLocalLocks();

  async function acquire(key: [number, number]): Promise<void> {
    for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
      const { rows } = await connection.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', key);
      if (rows[0]?.locked) return;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  return {
    run: (scope, uid, work) =>
      local.run(scope, uid, async () => {
        const key = advisoryKey(scope, uid);
        await acquire(key);
        try {
          return await work();
        } finally {
          connection.query('SELECT pg_advisory_unlock($1, $2)', key).catch(() => {
            // The connection dropped: its locks went with it
          });
        }
      }),
  };
}

/** Two int4 for pg_advisory_lock(int, int): a class per scope, a hash of the UID (a collision only serializes two keys). */
function advisoryKey(scope: LockScope, uid: string): [number, number] {
  const hash = createHash('sha256').update(uid).digest();
  return [scope === 'study' ? 0x54500001 : 0x54500002, hash.readInt32BE(0)];
}
