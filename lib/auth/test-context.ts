// An AuthContext over a real test database, for the identity tests.
import { silentLogger } from '../../pacs-core/logger';
import { loadConfig, type Environment } from '../config/config';
import type { TestDatabase } from '../../test/support/test-database';
import type { AuthContext } from './auth-context';

export function authContextFor(testDb: TestDatabase, env: Environment = {}): AuthContext {
  return { db: testDb.db, config: loadConfig({ DATA_DIR: testDb.dataDir, ...env }), logger: silentLogger, shared: new Map() };
}
