import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeReturnPath } from './return-path';

describe('safeReturnPath', () => {
  it('keeps a path on this site', () => {
    assert.equal(safeReturnPath('/upload?x=1'), '/upload?x=1');
  });

  it('sends everything else home: other sites, protocol-relative tricks, loops', () => {
    for (const candidate of [undefined, '', 'https://evil.example', '//evil.example', '/\\evil.example', '/sign-in', '/api/auth/sign-out', '/a\nb']) {
      assert.equal(safeReturnPath(candidate), '/', String(candidate));
    }
  });
});
