import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginRateLimiter, loginRateLimiterFor } from './login-rate-limiter';

function limiterWithClock() {
  const clock = { now: 1_000_000 };
  const limiter = new LoginRateLimiter(undefined, undefined, () => clock.now);
  return { limiter, clock };
}

describe('LoginRateLimiter', () => {
  it('blocks an email after 5 failures in 15 minutes and says when to retry', () => {
    const { limiter, clock } = limiterWithClock();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      assert.deepEqual(limiter.check('10.0.0.1', 'doc@h.example'), { limited: false });
      limiter.recordFailure('10.0.0.1', 'doc@h.example');
      clock.now += 1000;
    }
    assert.deepEqual(limiter.check('10.0.0.9', 'DOC@h.example'), { limited: true, retryAfterSeconds: 15 * 60 - 5 });
    clock.now += 15 * 60_000;
    assert.deepEqual(limiter.check('10.0.0.1', 'doc@h.example'), { limited: false });
  });

  it('blocks an address spraying many accounts, but only after 20 failures', () => {
    const { limiter } = limiterWithClock();
    for (let attempt = 0; attempt < 19; attempt += 1) limiter.recordFailure('10.0.0.1', `user${attempt}@h.example`);
    assert.equal(limiter.check('10.0.0.1', 'new@h.example').limited, false);
    limiter.recordFailure('10.0.0.1', 'user19@h.example');
    assert.equal(limiter.check('10.0.0.1', 'new@h.example').limited, true);
    assert.equal(limiter.check('10.0.0.2', 'new@h.example').limited, false);
  });

  it('clears an account after a correct password but keeps counting the address', () => {
    const { limiter } = limiterWithClock();
    for (let attempt = 0; attempt < 4; attempt += 1) limiter.recordFailure('10.0.0.1', 'doc@h.example');
    limiter.recordSuccess('doc@h.example');
    for (let attempt = 0; attempt < 4; attempt += 1) limiter.recordFailure('10.0.0.1', 'doc@h.example');
    assert.equal(limiter.check('10.0.0.1', 'doc@h.example').limited, false);
  });

  it('shares its counts through the runtime map across instances', () => {
    const shared = new Map<string, unknown>();
    for (let attempt = 0; attempt < 5; attempt += 1) loginRateLimiterFor(shared).recordFailure('1.1.1.1', 'a@b.example');
    assert.equal(loginRateLimiterFor(shared).check('1.1.1.1', 'a@b.example').limited, true);
  });
});
