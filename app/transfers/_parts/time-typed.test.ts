import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { secondsText } from './response-time';
import { typedTimeToIso } from './time-typed';

describe('times on the transfer pages', () => {
  const now = new Date(2026, 11, 7, 0, 20, 0);
  it('takes a typed time as today, or as yesterday when it is still to come', () => {
    assert.equal(typedTimeToIso('00:05', now), new Date(2026, 11, 7, 0, 5).toISOString());
    assert.equal(typedTimeToIso('23:40', now), new Date(2026, 11, 6, 23, 40).toISOString(), 'an onset before midnight, sent after it');
    assert.equal(typedTimeToIso('00:25', now), new Date(2026, 11, 7, 0, 25).toISOString(), 'a few minutes ahead is a clock difference');
  });
  it('refuses what is not a time', () => {
    for (const text of ['', '7', '25:00', '12:60', 'noon']) assert.equal(typedTimeToIso(text, now), undefined, text);
  });
  it('says response times in seconds, minutes, then hours', () => {
    assert.equal(secondsText(null), '—');
    assert.equal(secondsText(42), '42 s');
    assert.equal(secondsText(250), '4 min 10 s');
    assert.equal(secondsText(7_500), '2 h 5 min');
  });
});
