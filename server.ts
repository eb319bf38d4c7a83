// `npm start`: one Telepacs node (portal + archive + real time) on PORT.
// Configuration comes from the environment (see README "Configuration").
import { ConfigError, loadConfig, type Config } from './lib/config/config';
import { createConsoleLogger } from './pacs-core/logger';
import cluster from 'node:cluster';
import { startTelepacs } from './lib/server/start';
import { reportReady, runPrimary } from './lib/server/cluster';

const logger = createConsoleLogger();

process.on('unhandledRejection', (reason) => {
  // A bug, not bad input (input errors are answered per request): log it loudly
  // and keep serving the other facilities' users.
  logger.error('unhandled promise rejection', { reason: reason instanceof Error ? reason.stack : String(reason) });
});

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const dev = process.env.TELEPACS_DEV === '1';
  // TELEPACS_WORKERS > 1: this process starts the workers (lib/server/cluster.ts), each of which runs the branch below
  if (config.workers > 1 && cluster.isPrimary) {
    const primary = await runPrimary(config, logger, { dev });
    printSignIn(config, primary.firstRun, primary.ready.url, `${config.workers} processes`);
    // Longer than a worker's own 10 s: the workers finish their close() before the primary gives up
    onShutdown(() => primary.stop(), 20_000);
    return;
  }
  const node = await startTelepacs({ config, dev, logger });
  if (cluster.isWorker) {
    reportReady(node);
    onShutdown(() => node.close());
    return;
  }
  printSignIn(config, node.firstRun, node.url, 'one process');
  onShutdown(() => node.close());
}

function printSignIn(config: Config, firstRun: { adminEmail: string; generatedPassword?: string }, url: string, processes: string): void {
  const publicUrl = config.publicUrl ?? `http://localhost:${new URL(url).port}`;
  const lines = [
    '',
    '  Telepacs is running',
    `  Portal:    ${publicUrl}/`,
    `  Sign in:   ${publicUrl}/sign-in  as ${firstRun.adminEmail}`,
  ];
  if (firstRun.generatedPassword) {
    lines.push(
      `  Password:  ${firstRun.generatedPassword}   (generated now and shown once)`,
      `             change it after signing in: ${publicUrl}/account/password`,
    );
  }
  lines.push(
    `  DICOMweb:  ${publicUrl}/dicomweb   (HTTP Basic or Bearer API token)`,
    `  Data:      ${config.dataDir} (${config.databaseKind}, ${processes})`,
    '',
  );
  console.log(lines.join('\n'));
}

function onShutdown(close: () => Promise<void>, graceMs = 10_000): void {
  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), graceMs).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  logger.error('telepacs could not start', { error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});
