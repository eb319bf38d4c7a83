// GET /api/health — no authentication: 200 {"status":"ok"}, 200
// {"status":"degraded","reason":"storage full"} (reads served, images
// refused), or 503 with the reason. Answered by the custom server itself, before Next: it is there
// without the portal (a headless archive node, the tests), and it costs one
// SELECT 1 and one small file write, so a load balancer's probe keeps its
// answer even when Next is busy.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Runtime } from '../runtime';
import { checkHealth } from './check-health';

export const HEALTH_PATH = '/api/health';

export async function serveHealth(runtime: Pick<Runtime, 'db' | 'archive' | 'logger'>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.setHeader('cache-control', 'no-store');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' }).end(JSON.stringify({ error: 'method not allowed' }));
    return;
  }
  const report = await checkHealth(runtime);
  res.writeHead(report.status === 'error' ? 503 : 200, { 'content-type': 'application/json' });
  res.end(req.method === 'HEAD' ? undefined : JSON.stringify(report));
}
