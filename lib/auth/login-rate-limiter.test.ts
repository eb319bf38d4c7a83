import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LoginRateLimiter, loginRateLimiterFor } from './login-rate-limiter';

function limiterWithClock() {
  const clock = { now: 1_000_000 };
  const limiter = new LoginRateLimiter(undefined, undefined, () => clock.now);
  return { limiter, clock };
}

const doc = (address: string, deviceId?: string) => ({ address, email: 'doc@h.example', deviceId });

describe('LoginRateLimiter', () => {
  it('stops a guesser at one address after 5 failures in 15 minutes and says when to retry', () => {
    const { limiter, clock } = limiterWithClock();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      assert.deepEqual(limiter.check(doc('10.0.0.1')), { limited: false });
      limiter.recordFailure(doc('10.0.0.1'));
      clock.now += 1000;
    }
    assert.deepEqual(limiter.check({ address: '10.0.0.1', email: 'DOC@h.example' }), { limited: true, retryAfterSeconds: 15 * 60 - 5 });
    clock.now += 15 * 60_000;
    assert.deepEqual(limiter.check(doc('10.0.0.1')), { limited: false });
  });

  it("does not let a stranger's 50 failures from one address stop the owner at another", () => {
    const { limiter, clock } = limiterWithClock();
    for (let attempt = 0; attempt < 50; attempt += 1) {
      // Throttled attempts check no password and are not counted
      if (!limiter.check(doc('203.0.113.9')).limited) limiter.recordFailure(doc('203.0.113.9'));
      clock.now += 100;
    }
    assert.equal(limiter.check(doc('203.0.113.9')).limited, true);
    assert.deepEqual(limiter.check(doc('10.0.0.7')), { limited: false });
  });

  it('slows an account guessed from many addresses with a growing delay, never a lock', () => {
    const { limiter, clock } = limiterWithClock();
    for (let attempt = 0; attempt < 10; attempt += 1) limiter.recordFailure(doc(`198.51.100.${attempt}`));
    assert.deepEqual(limiter.check(doc('10.0.0.7')), { limited: true, retryAfterSeconds: 1 });
    clock.now += 1000;
    assert.deepEqual(limiter.check(doc('10.0.0.7')), { limited: false });
    limiter.recordFailure(doc('198.51.100.200'));
    assert.deepEqual(limiter.check(doc('10.0.0.7')), { limited: true, retryAfterSeconds: 2 });
    for (let attempt = 0; attempt < 20; attempt += 1) limiter.recordFailure(doc(`192.0.2.${attempt}`));
    assert.deepEqual(limiter.check(doc('10.0.0.7')), { limited: true, retryAfterSeconds: 60 }, 'capped at a minute');
    // A known device of the account is not slowed by what others did
    assert.deepEqual(limiter.check(doc('10.0.0.7', 'device-1')), { limited: false });
  });

  it('counts a known device on its own: others at its address cannot block it, and it cannot guess more than 5 times', () => {
    const { limiter } = limiterWithClock();
    for (let attempt = 0; attempt < 25; attempt += 1) limiter.recordFailure({ address: '10.0.0.1', email: `user${attempt}@h.example` });
    for (let attempt = 0; attempt < 5; attempt += 1) limiter.recordFailure(doc('10.0.0.1'));
    assert.equal(limiter.check(doc('10.0.0.1')).limited, true);
    assert.deepEqual(limiter.check(doc('10.0.0.1', 'device-1')), { limited: false });
    for (let attempt = 0; attempt < 5; attempt += 1) limiter.recordFailure(doc('10.0.0.1', 'device-1'));
    assert.equal(limiter.check(doc('10.0.0.1', 'device-1')).limited, true);
  });

  it('blocks an address spraying many accounts, but only after 20 failures', () => {
    const { limiter } = limiterWithClock();
    for (let attempt = 0; attempt < 19; attempt += 1) limiter.recordFailure({ address: '10.0.0.1', email: `user${attempt}@h.example` });
    assert.equal(limiter.check({ address: '10.0.0.1', email: 'new@h.example' }).limited, false);
    limiter.recordFailure({ address: '10.0.0.1', email: 'user19@h.example' });
    assert.equal(limiter.check({ address: '10.0.0.1', email: 'new@h.example' }).limited, true);
    assert.equal(limiter.check({ address: '10.0.0.2', email: 'new@h.example' }).limited, false);
  });

  it('clears an account after a correct password but keeps counting the address', () => {
    const { limiter } = limiterWithClock();
    for (let attempt = 0; attempt < 4; attempt += 1) limiter.recordFailure(doc('10.0.0.1'));
    limiter.recordSuccess(doc('10.0.0.1'));
    for (let attempt = 0; attempt < 4; attempt += 1) limiter.recordFailure(doc('10.0.0.1'));
    assert.equal(limiter.check(doc('10.0.0.1')).limited, false);
  });

  it('shares its counts through the runtime map across instances', () => {
    const shared = new Map<string, unknown>();
    for (let attempt = 0; attempt < 5; attempt += 1) loginRateLimiterFor(shared).recordFailure({ address: '1.1.1.1', email: 'a@b.example' });
    assert.equal(loginRateLimiterFor(shared).check({ address: '1.1.1.1', email: 'a@b.example' }).limited, true);
  });
});
