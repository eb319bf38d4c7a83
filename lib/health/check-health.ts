// Readiness for load balancers and monitoring: 'ok' only when the database
// answers and the blob store can be written and read now. A store with no
// room left (a probe refused for want of space, or images refused so since
// the last one stored) is 'degraded', not an error: the process still serves
// every read, so a balancer keeps it, and monitoring sees "storage full".
import { isStoreFull } from '../../pacs-core/store/store-fullness';
import type { Runtime } from '../runtime';

export type HealthReport = { status: 'ok' } | { status: 'degraded'; reason: 'storage full'; since: string } | { status: 'error'; reason: string };

export async function checkHealth(runtime: Pick<Runtime, 'db' | 'archive' | 'logger'>): Promise<HealthReport> {
  try {
    await runtime.db.$queryRaw`SELECT 1`;
  } catch (error) {
    runtime.logger.error('health: database unavailable', { error: String(error) });
    return { status: 'error', reason: 'database unavailable' };
  }
  try {
    await runtime.archive.store.check();
  } catch (error) {
    if (isStoreFull(error)) return { status: 'degraded', reason: 'storage full', since: new Date().toISOString() };
    runtime.logger.error('health: storage unavailable', { error: String(error) });
    return { status: 'error', reason: 'storage unavailable' };
  }
  const refusal = runtime.archive.storeFullness.current;
  if (refusal) return { status: 'degraded', reason: 'storage full', since: refusal.since.toISOString() };
  return { status: 'ok' };
}
