// `npm start`: one Telepacs node (portal + archive + real time) on PORT.
// Configuration comes from the environment (see README "Configuration").
import { ConfigError, loadConfig } from './lib/config/config';
import { createConsoleLogger } from './pacs-core/logger';
import { startTelepacs } from './lib/server/start';

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
  const node = await startTelepacs({ config, dev: process.env.TELEPACS_DEV === '1', logger });
  const publicUrl = config.publicUrl ?? `http://localhost:${new URL(node.url).port}`;
  const lines = [
    '',
    '  Telepacs is running',
    `  Portal:    ${publicUrl}/`,
    `  Sign in:   ${publicUrl}/sign-in  as ${node.firstRun.adminEmail}`,
  ];
  if (node.firstRun.generatedPassword) {
    lines.push(
      `  Password:  ${node.firstRun.generatedPassword}   (generated now and shown once)`,
      `             change it after signing in: ${publicUrl}/account/password`,
    );
  }
  lines.push(
    `  DICOMweb:  ${publicUrl}/dicomweb   (HTTP Basic or Bearer API token)`,
    `  Data:      ${config.dataDir} (${config.databaseKind})`,
    '',
  );
  console.log(lines.join('\n'));

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    node.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  logger.error('telepacs could not start', { error: error instanceof Error ? error.stack : String(error) });
  process.exit(1);
});
