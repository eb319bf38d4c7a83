// Readiness for load balancers and monitoring: 'ok' only when the database
// answers and the blob store can be written and read now.
import type { Runtime } from '../runtime';

export type HealthReport = { status: 'ok' } | { status: 'error'; reason: string };

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
    runtime.logger.error('health: storage unavailable', { error: String(error) });
    return { status: 'error', reason: 'storage unavailable' };
  }
  return { status: 'ok' };
}
