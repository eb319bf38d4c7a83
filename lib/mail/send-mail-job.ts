// The job behind enqueueMail (enqueue-mail.ts): hands the message to the SMTP
// relay of SMTP_URL. A refused or unreachable relay throws, and the runner
// retries with backoff (lib/jobs). Idempotent as far as SMTP allows: a crash
// after the relay accepted and before the job was marked done sends again, with
// the same Message-ID (the job's id), which mail clients treat as one message.
import type { MailConfig } from '../config/mail-config';
import { defineJob, type JobDefinition } from '../jobs/registry';
import type { MailTemplateName } from './mail-templates';
import { createMailTransport, relayName } from './mail-transport';

export interface SendMailJobPayload {
  template: MailTemplateName;
  /** Lower-case, sorted, no duplicates */
  to: string[];
  subject: string;
  text: string;
  html?: string;
}

/**
 * The mail.send handler for this process's settings. With mail off (SMTP_URL
 * unset since the jobs were queued) a queued message is dropped with a warning:
 * the operator chose no mail.
 */
export function createSendMailJob(mail: MailConfig | undefined): JobDefinition<'mail.send'> {
  const transport = mail ? createMailTransport(mail) : undefined;
  const messageIdDomain = mail?.from.address.split('@')[1] ?? 'localhost';

  return defineJob('mail.send', async (payload, { logger, job }) => {
    if (!mail || !transport) {
      logger.warn('e-mail is off (SMTP_URL unset): a queued message was not sent', { jobId: job.id, template: payload.template });
      return;
    }
    const info = await transport.sendMail({
      from: mail.from.name ? { name: mail.from.name, address: mail.from.address } : mail.from.address,
      to: payload.to,
      subject: payload.subject,
      text: payload.text,
      html: payload.html,
      messageId: `<${job.id}@${messageIdDomain}>`,
      // RFC 3834: no auto-replies (out-of-office) to a notification
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    // Some recipients accepted, some refused: sending again would repeat the message to the accepted ones
    const rejected = info.rejected.map(String);
    if (rejected.length) logger.warn('e-mail refused for some recipients', { jobId: job.id, template: payload.template, rejected, response: info.response });
    logger.info('e-mail sent', { jobId: job.id, template: payload.template, relay: relayName(mail), to: payload.to, accepted: info.accepted.length, response: info.response });
  });
}
