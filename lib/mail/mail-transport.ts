// The nodemailer transport for SMTP_URL's relay (lib/config/mail-config.ts),
// shared by the mail.send job and the check at start.
import { createTransport } from 'nodemailer';
import type { MailConfig } from '../config/mail-config';
import type { Logger } from '../../pacs-core/logger';

// A relay that stops answering must not hold a job (and its lease) for the
// library's default minutes; the next attempt comes with backoff.
const CONNECTION_TIMEOUT_MS = 30_000;
const SOCKET_TIMEOUT_MS = 60_000;

export function createMailTransport(mail: MailConfig) {
  return createTransport({
    host: mail.smtp.host,
    port: mail.smtp.port,
    secure: mail.smtp.secure,
    auth: mail.smtp.auth,
    // A password never crosses the network in the clear: with credentials, smtp:// must upgrade by STARTTLS
    requireTLS: !mail.smtp.secure && mail.smtp.auth !== undefined,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
}

/** host:port, for logs (never the credentials) */
export function relayName(mail: MailConfig): string {
  const host = mail.smtp.host.includes(':') ? `[${mail.smtp.host}]` : mail.smtp.host;
  return `${mail.smtp.secure ? 'smtps' : 'smtp'}://${host}:${mail.smtp.port}`;
}

/**
 * At start: connects to the relay (and signs in, when SMTP_URL has
 * credentials) and logs the outcome. Never stops the start: mails wait in the
 * job queue and are retried until the relay answers.
 */
export async function checkMailRelay(mail: MailConfig, logger: Logger): Promise<boolean> {
  const transport = createMailTransport(mail);
  try {
    await transport.verify();
    logger.info('e-mail on: the SMTP relay answers', { relay: relayName(mail), from: mail.from.address });
    return true;
  } catch (error) {
    logger.warn('e-mail on, but the SMTP relay does not answer: mails wait and are retried', { relay: relayName(mail), error: error instanceof Error ? error.message : String(error) });
    return false;
  } finally {
    transport.close();
  }
}
