import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dueWords, durationWords } from './due-words';

const MIN = 60_000;
const now = new Date('2026-12-06T12:00:00Z');
const at = (minutes: number) => new Date(now.getTime() + minutes * MIN);

describe('due words', () => {
  it('say minutes, hours, days as a person would', () => {
    assert.equal(durationWords(42 * MIN), '42 min');
    assert.equal(durationWords(150 * MIN), '2 h 30 min');
    assert.equal(durationWords(120 * MIN), '2 h');
    assert.equal(durationWords(14 * 60 * MIN + 20 * MIN), '14 h', 'minutes stop mattering after a few hours');
    assert.equal(durationWords(47 * 60 * MIN), '47 h');
    assert.equal(durationWords(3 * 24 * 60 * MIN + 4 * 60 * MIN), '3 d 4 h');
    assert.equal(durationWords(10 * 24 * 60 * MIN + 4 * 60 * MIN), '10 d');
  });

  it('count down to the due time and up from it once overdue', () => {
    assert.deepEqual(dueWords(at(42.5), now), { text: 'due in 42 min', overdue: false });
    assert.deepEqual(dueWords(at(0.5), now), { text: 'due now', overdue: false });
    assert.deepEqual(dueWords(at(-0.2), now), { text: 'overdue by 1 min', overdue: true });
    assert.deepEqual(dueWords(at(-185), now), { text: 'overdue by 3 h 5 min', overdue: true });
    assert.deepEqual(dueWords(at(-180).toISOString(), now.getTime()), { text: 'overdue by 3 h', overdue: true });
  });
});
