// A real Telepacs node for integration tests: fresh database (SQLite, or
// PostgreSQL with TEST_DATABASE=postgres), temp data dir, free ports. Without
// the Next portal unless asked (the portal needs `next build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../lib/config/config';
import { startTelepacs, type RunningTelepacs } from '../../lib/server/start';
import { createConsoleLogger, silentLogger, type Logger } from '../../pacs-core/logger';
import { basicAuthHeader } from './dicomweb-client';
import { createScratchDatabaseUrl } from './test-database';

export const TEST_ADMIN_EMAIL = 'admin@telepacs.test';
export const TEST_ADMIN_PASSWORD = 'correct horse battery staple';

export interface TestServer {
  node: RunningTelepacs;
  url: string;
  dicomwebUrl: string;
  /** The node's DIMSE port (DICOM_AET defaults to TELEPACS) */
  dicomPort: number;
  /** The node's DICOM TLS port, when DICOM_TLS_PORT was given */
  dicomTlsPort: number | undefined;
  dataDir: string;
  adminAuthorization: string;
  stop(): Promise<void>;
}

export async function startTestServer(options: { portal?: boolean; env?: Record<string, string>; logger?: Logger } = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'telepacs-server-'));
  const scratch = await createScratchDatabaseUrl(dataDir);
  const config = loadConfig({
    PORT: '0',
    DICOM_PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_EMAIL: TEST_ADMIN_EMAIL,
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ...(scratch.databaseUrl ? { DATABASE_URL: scratch.databaseUrl } : {}),
    ...options.env,
  });
  // TELEPACS_TEST_LOG=1 shows the server log of a failing run
  const logger = options.logger ?? (process.env.TELEPACS_TEST_LOG === '1' ? createConsoleLogger('telepacs-test') : silentLogger);
  const node = await startTelepacs({ config, portal: options.portal ?? false, logger });
  return {
    node,
    url: node.url,
    dicomwebUrl: node.dicomwebUrl,
    dicomPort: node.dicomPort,
    dicomTlsPort: node.dicomTlsPort,
    dataDir,
    adminAuthorization: basicAuthHeader(TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD),
    async stop() {
      await node.close();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
