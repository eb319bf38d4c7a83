// Queuing an e-mail: inside the caller's transaction, like every job (lib/jobs),
// so a mail goes out if and only if the change it tells about committed. With
// mail off (SMTP_URL unset) nothing is queued. After the commit, call
// wakeJobRunners() to send at once rather than at the runners' next poll.
import { createHash } from 'node:crypto';
import type { Config } from '../config/config';
import { enqueueJob, type JobTransaction } from '../jobs/enqueue-job';
import { renderMail, type MailTemplateName } from './mail-templates';

export interface EnqueueMailInput {
  /** Addresses (users' e-mail addresses); compared and sent lower-case, duplicates dropped */
  to: readonly string[];
  template: MailTemplateName;
  /** A path of the portal, e.g. /referrals/<id>; the mail links to PUBLIC_URL + link */
  link: string;
  /** Whose admins see the job when it keeps failing */
  facilityId: string | null;
  /**
   * What happened, unique per occurrence (e.g. the id of the referral event):
   * with the template, link and recipients it is the job's key, so the same
   * operation retried queues the mail once, and a second question queues a second mail.
   */
  eventId: string;
}

// The same shape MAIL_FROM accepts for an address; users' addresses are validated when they are created
const ADDRESS_PATTERN = /^[^\s<>@",;:\\()[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;
// A path of this portal: no scheme or host of its own, nothing that would end the URL in a header or the HTML
const LINK_PATTERN = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/?#]*$/;

/**
 * Queues `template` for `to`, linking to `link`. Returns the job (the existing
 * one when this event's mail was queued before), or null when mail is off or
 * there is nobody to write to. Throws on an address or link that is not one.
 */
export async function enqueueMail(tx: JobTransaction, config: Pick<Config, 'mail'>, input: EnqueueMailInput): Promise<{ id: string; created: boolean } | null> {
  const mail = config.mail;
  if (!mail) return null;
  const to = [...new Set(input.to.map((address) => address.trim().toLowerCase()))].sort();
  if (!to.length) return null;
  const invalid = to.filter((address) => !ADDRESS_PATTERN.test(address));
  if (invalid.length) throw new TypeError(`enqueueMail: not an e-mail address: ${invalid.join(', ')}`);
  if (!LINK_PATTERN.test(input.link)) throw new TypeError(`enqueueMail: the link must be a path of the portal such as /referrals/<id>, got ${input.link}`);

  const rendered = renderMail(input.template, `${mail.linkBase}${input.link}`);
  const digest = createHash('sha256').update(JSON.stringify([input.link, to])).digest('hex').slice(0, 32);
  return enqueueJob(tx, {
    type: 'mail.send',
    key: `${input.template}:${input.eventId}:${digest}`,
    payload: { template: input.template, to, ...rendered },
    facilityId: input.facilityId,
  });
}
