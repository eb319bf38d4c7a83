import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TURNAROUND_MINUTES, dueAtFor, formatTurnaround, isReferralPriority, REFERRAL_PRIORITIES, turnaroundMinutes, type ReferralPriority } from './due-time';

const neuro = { turnaroundStatMinutes: 30, turnaroundUrgentMinutes: 240, turnaroundRoutineMinutes: 2880 };
const sent = new Date('2026-12-04T16:30:00.000Z'); // a Friday afternoon

describe('due time of a second-opinion case', () => {
  it("takes the receiving service's turnaround for the case's priority", () => {
    assert.deepEqual(
      REFERRAL_PRIORITIES.map((priority) => [priority, turnaroundMinutes(neuro, priority)]),
      [
        ['ROUTINE', 2880],
        ['URGENT', 240],
        ['STAT', 30],
      ],
    );
    assert.equal(dueAtFor(neuro, 'STAT', sent).toISOString(), '2026-12-04T17:00:00.000Z');
    assert.equal(dueAtFor(neuro, 'URGENT', sent).toISOString(), '2026-12-04T20:30:00.000Z');
  });

  it('counts clock time: a routine case sent on Friday afternoon is due on Sunday afternoon', () => {
    assert.equal(dueAtFor(neuro, 'ROUTINE', sent).toISOString(), '2026-12-06T16:30:00.000Z');
  });

  it("uses the defaults (stat 1 h, urgent 6 h, routine 3 days) for a named expert's case", () => {
    assert.deepEqual(DEFAULT_TURNAROUND_MINUTES, { STAT: 60, URGENT: 360, ROUTINE: 4320 });
    assert.equal(dueAtFor(null, 'STAT', sent).toISOString(), '2026-12-04T17:30:00.000Z');
    assert.equal(dueAtFor(null, 'URGENT', sent).toISOString(), '2026-12-04T22:30:00.000Z');
    assert.equal(dueAtFor(null, 'ROUTINE', sent).toISOString(), '2026-12-07T16:30:00.000Z');
  });

  it('never makes a case due at once from a hand-edited value (0, negative, fractional): the default instead', () => {
    const broken = { turnaroundStatMinutes: 0, turnaroundUrgentMinutes: -5, turnaroundRoutineMinutes: 12.5 };
    for (const priority of REFERRAL_PRIORITIES) assert.equal(turnaroundMinutes(broken, priority), DEFAULT_TURNAROUND_MINUTES[priority], priority);
  });

  it('refuses an unknown priority instead of guessing one', () => {
    assert.throws(() => turnaroundMinutes(neuro, 'stat' as ReferralPriority), /unknown referral priority stat/);
    assert.equal(isReferralPriority('STAT'), true);
    assert.equal(isReferralPriority('stat'), false);
    assert.equal(isReferralPriority(undefined), false);
  });

  it('does not change the time it starts from', () => {
    const from = new Date(sent);
    dueAtFor(neuro, 'URGENT', from);
    assert.equal(from.getTime(), sent.getTime());
  });

  it('writes a turnaround the way an administrator reads it', () => {
    assert.deepEqual(
      [5, 45, 60, 90, 360, 1440, 1500, 2160, 4320, 86_400].map(formatTurnaround),
      ['5 min', '45 min', '1 h', '1 h 30 min', '6 h', '1 d', '25 h', '36 h', '3 d', '60 d'],
    );
  });
});
