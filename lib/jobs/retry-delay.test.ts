import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMERGENCY_MAX_RETRY_MS, FIRST_RETRY_MS, MAX_RETRY_MS, retryDelayMs } from './job-types';

describe('the wait before a failed job’s next attempt', () => {
  it('doubles from 5 s up to an hour for routine work', () => {
    assert.deepEqual([1, 2, 3].map((attempts) => retryDelayMs(attempts)), [FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, 4 * FIRST_RETRY_MS]);
    assert.equal(retryDelayMs(30), MAX_RETRY_MS);
  });
  it('stays within 15 s for an emergency’s job (a notice, its images): the other node may be back any second', () => {
    assert.deepEqual([1, 2, 3, 30].map((attempts) => retryDelayMs(attempts, 20)), [FIRST_RETRY_MS, 2 * FIRST_RETRY_MS, EMERGENCY_MAX_RETRY_MS, EMERGENCY_MAX_RETRY_MS]);
    assert.equal(retryDelayMs(30, 10), EMERGENCY_MAX_RETRY_MS);
  });
});
