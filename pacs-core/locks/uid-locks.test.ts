// The ingest locks across processes: a second process holding a study's lock
// keeps this one's work on that study waiting, not on another study, and its
// death (kill -9) frees the lock. On PostgreSQL whatever the suite's database:
// only a connection is needed.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { TEST_POSTGRES_ADMIN_URL } from '../../test/support/test-database';
import { createPostgresLocks } from './uid-locks';

const root = path.join(import.meta.dirname, '..', '..');

function holder(uid: string): { child: ChildProcessWithoutNullStreams; exited: Promise<unknown>; output: () => string; waitFor(word: string): Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/lock-holder.ts'], {
    cwd: root,
    env: { ...process.env, LOCK_HOLDER_URL: TEST_POSTGRES_ADMIN_URL, LOCK_HOLDER_UID: uid },
  });
  // Listened for from the start: it may exit before anyone waits
  const exited = once(child, 'exit');
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  return {
    child,
    exited,
    output: () => output,
    waitFor: async (word) => {
      while (!output.includes(word)) {
        if (child.exitCode !== null) throw new Error(`lock holder exited (${child.exitCode}) before ${word}: ${output}`);
        await Promise.race([once(child.stdout, 'data'), exited]);
      }
    },
  };
}

describe('ingest locks across processes (PostgreSQL advisory locks)', () => {
  let pool: pg.Pool;
  before(() => {
    pool = new pg.Pool({ connectionString: TEST_POSTGRES_ADMIN_URL, max: 1, idleTimeoutMillis: 0 });
  });
  after(() => pool.end());

  it("waits for another process's lock on the same study, not on another study", async () => {
    const uid = `1.2.826.0.1.3680043.10.543.${process.pid}.${Date.now()}`;
    const other = holder(uid);
    await other.waitFor('LOCKED');
    const locks = createPostgresLocks(pool);
    const events: string[] = [];
    const sameStudy = locks.run('study', uid, async () => {
      events.push(other.output().includes('RELEASED') ? 'ran after the release' : 'ran while held');
    });
    await locks.run('study', `${uid}.9`, async () => {
      events.push('another study ran');
    });
    // The same UID under the SOP scope is another lock
    await locks.run('sop', uid, async () => {
      events.push('the SOP lock of that UID ran');
    });
    assert.deepEqual(events, ['another study ran', 'the SOP lock of that UID ran'], 'the held study is still waiting');
    other.child.stdin.write('release\n');
    await sameStudy;
    assert.deepEqual(events.slice(2), ['ran after the release']);
    await other.exited;
  });

  it('frees the lock of a process killed with SIGKILL', async () => {
    const uid = `1.2.826.0.1.3680043.10.543.${process.pid}.${Date.now()}.2`;
    const other = holder(uid);
    await other.waitFor('LOCKED');
    const locks = createPostgresLocks(pool);
    let ran = false;
    const waiting = locks.run('study', uid, async () => {
      ran = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(ran, false, 'held by the other process');
    other.child.kill('SIGKILL');
    await other.exited;
    await waiting;
    assert.equal(ran, true);
  });
});
