import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArchiveError } from '../errors';
import { matchesValue, parseWorklistMatch, type MatchKind } from './worklist-match';

const matches = (kind: MatchKind, key: string, stored: string) => matchesValue(parseWorklistMatch('Key', kind, key), kind, stored);

describe('worklist matching (PS3.4 C.2.2.2)', () => {
  it('matches dates singly and by ranges, open at either end; an order without a date only universally', () => {
    assert.equal(matches('date', '20261207', '20261207'), true);
    assert.equal(matches('date', '20261207', '20261208'), false);
    assert.equal(matches('date', '20261207-20261208', '20261208'), true);
    assert.equal(matches('date', '-20261207', '20261208'), false);
    assert.equal(matches('date', '20261208-', '20261231'), true);
    assert.equal(matches('date', '20261208-', ''), false);
    assert.equal(matches('date', '', ''), true);
  });

  it('takes a time bound as its whole last unit', () => {
    assert.equal(matches('time', '0900-1000', '100059'), true);
    assert.equal(matches('time', '0900-1000', '100100'), false);
    assert.equal(matches('time', '1030', '103045'), true);
  });

  it('matches names on any component group, case and accents folded, with * and ?', () => {
    assert.equal(matches('person-name', 'doe^jane', 'Doë^Jane'), true);
    assert.equal(matches('person-name', 'DO?^J*', 'Doë^Jane'), true);
    assert.equal(matches('person-name', 'yamada*', 'Yamada^Tarou=山田^太郎'), true);
    assert.equal(matches('person-name', '山田*', 'Yamada^Tarou=山田^太郎'), true);
    assert.equal(matches('person-name', 'Smith', 'Smithers^Bob'), false);
  });

  it('matches text exactly, wildcards without case, and lists of AE titles or UIDs', () => {
    assert.equal(matches('text', 'CT1', 'CT1'), true);
    assert.equal(matches('text', 'ct1', 'CT1'), false);
    assert.equal(matches('text', 'ct*', 'CT1'), true);
    assert.equal(matches('text', 'CT1\\CT2', 'CT2'), true);
    assert.equal(matches('uid', '1.2.3\\1.2.4', '1.2.4'), true);
  });

  it('refuses malformed dates, reversed ranges and bad UIDs (0xA900)', () => {
    for (const [kind, value] of [['date', '2026-12-07'], ['date', '20261208-20261207'], ['date', '2026120'], ['time', '25:00'], ['uid', '1.2.x']] as const) {
      assert.throws(() => parseWorklistMatch('Key', kind, value), (error: unknown) => error instanceof ArchiveError && error.code === 'BAD_REQUEST', `${kind} ${value}`);
    }
  });
});
