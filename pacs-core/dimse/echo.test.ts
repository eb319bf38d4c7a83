import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freePort, hasDcmtk, startStorescp } from '../../test/support/dcmtk';
import { echoPeer } from './echo';

describe('echoPeer (C-ECHO SCU)', () => {
  it('succeeds against DCMTK storescp and measures the round trip', { skip: hasDcmtk() || process.env.CI ? undefined : 'needs DCMTK' }, async () => {
    const scp = await startStorescp({ aet: 'ECHO_SCP' });
    try {
      const result = await echoPeer({ aet: 'ECHO_SCP', host: '127.0.0.1', port: scp.port }, { callingAet: 'TELEPACS' });
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.ok(result.ok && result.echoMs >= 0 && result.totalMs >= result.echoMs);
    } finally {
      await scp.stop();
    }
  });

  it('says when nothing listens on the port', async () => {
    const port = await freePort();
    const result = await echoPeer({ aet: 'NOBODY', host: '127.0.0.1', port }, { callingAet: 'TELEPACS' });
    assert.equal(result.ok, false);
    assert.match(result.ok ? '' : result.error, new RegExp(`connection refused: nothing listens on 127.0.0.1:${port}`));
  });

  it('gives up on a peer that accepts the connection but never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const result = await echoPeer({ aet: 'SILENT', host: '127.0.0.1', port }, { callingAet: 'TELEPACS', timeoutMs: 500 });
      assert.equal(result.ok, false);
      assert.ok(result.totalMs >= 400 && result.totalMs < 5_000, String(result.totalMs));
    } finally {
      silent.close();
    }
  });
});
