import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ROTATION_GRACE_MS, fingerprintOf, identityFile, loadNodeIdentity, rotateNodeKey } from './node-identity';

describe('node identity in DATA_DIR', () => {
  it('is made once, kept private, and read back the same', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-identity-'));
    try {
      const made = loadNodeIdentity(dir);
      assert.equal(statSync(identityFile(dir)).mode & 0o777, 0o600);
      const again = loadNodeIdentity(dir);
      assert.equal(again.nodeId, made.nodeId);
      assert.equal(again.current.kid, made.current.kid);
      assert.match(fingerprintOf(made.current.jwk), /^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rotates: a new current key, the previous one kept retired for the grace period, then dropped', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'telepacs-identity-'));
    try {
      const start = new Date('2026-12-01T00:00:00Z');
      const first = loadNodeIdentity(dir, start);
      const rotated = rotateNodeKey(dir, start);
      assert.equal(rotated.nodeId, first.nodeId);
      assert.notEqual(rotated.current.kid, first.current.kid);
      assert.deepEqual(rotated.keys.map((key) => key.kid), [rotated.current.kid, first.current.kid]);
      assert.ok(rotated.keys[1].retiredAt);
      const later = new Date(start.getTime() + ROTATION_GRACE_MS + 1000);
      const third = rotateNodeKey(dir, later);
      assert.equal(third.keys.some((key) => key.kid === first.current.kid), false, 'a key retired longer than the grace is gone');
      assert.equal(third.keys.length, 2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
