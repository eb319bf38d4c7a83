// Entry point of the Telepacs process a bench starts: the headless archive
// (startTelepacs with portal: false) in its own process, like Orthanc, so the
// bench client never shares an event loop with the server it measures.
// Prints one JSON line {"url", "dicomwebUrl", "dicomPort", "hl7Port"} when ready; stops on SIGTERM or when the
// bench that started it goes away (its stdin closes).
import { loadConfig } from '../../lib/config/config';
import { startTelepacs } from '../../lib/server/start';
import { createConsoleLogger } from '../../pacs-core/logger';

const config = loadConfig(process.env);
// TELEPACS_PORTAL=1: with the portal (Next), for tests of several whole nodes (test/support/node-process.ts)
const node = await startTelepacs({ config, portal: process.env.TELEPACS_PORTAL === '1', logger: createConsoleLogger('telepacs', (process.env.TELEPACS_LOG_LEVEL as 'warn' | 'info' | undefined) ?? 'warn') });
process.stdout.write(`${JSON.stringify({ url: node.url, dicomwebUrl: node.dicomwebUrl, dicomPort: node.dicomPort, hl7Port: node.hl7Port })}\n`);

let closing = false;
async function shutdown(): Promise<void> {
  if (closing) return;
  closing = true;
  await node.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
process.stdin.on('close', () => void shutdown());
process.stdin.resume();
