// E-mail settings (README "E-mail (optional)"): SMTP_URL turns mail on,
// MAIL_FROM names the sender. Parsed here into what lib/mail needs, so the
// job handler never parses a URL and a mistake stops the start with a reason.
// Messages never echo SMTP_URL: it may hold the relay's password.
import { z } from 'zod';

export interface SmtpSettings {
  host: string;
  port: number;
  /** smtps://: TLS from the first byte (port 465); smtp://: STARTTLS when offered */
  secure: boolean;
  /** Set from smtp(s)://user:password@…; with smtp:// the connection must then be upgraded by STARTTLS */
  auth: { user: string; pass: string } | undefined;
}

export interface MailAddress {
  name: string | undefined;
  address: string;
}

export interface MailConfig {
  smtp: SmtpSettings;
  from: MailAddress;
  /** PUBLIC_URL (required with SMTP_URL): every link in a mail starts with it */
  linkBase: string;
}

export const DEFAULT_MAIL_FROM = 'Telepacs <telepacs@localhost>';

const SMTP_URL_HINT = 'expected smtp://[user:password@]host[:port] (STARTTLS when the server offers it) or smtps://[user:password@]host[:port] (TLS from the start), e.g. smtp://telepacs:secret@mail.hospital.example:587';

function hostName(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/** SMTP_URL → SmtpSettings; the value itself never appears in a message. */
export const smtpUrlSchema = z.string().transform((value, context): SmtpSettings => {
  const problem = (message: string) => {
    context.addIssue({ code: 'custom', message: `SMTP_URL: ${message}` });
    return z.NEVER;
  };
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return problem(SMTP_URL_HINT);
  }
  if ((url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) return problem(SMTP_URL_HINT);
  // nodemailer reads options from the query; we take none, so a typo cannot silently weaken TLS
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) return problem(`no path, ?options or #fragment — ${SMTP_URL_HINT}`);
  if (Boolean(url.username) !== Boolean(url.password)) return problem('give both the user and the password (smtp://user:password@host), or neither');
  let auth: SmtpSettings['auth'];
  try {
    auth = url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined;
  } catch {
    return problem('the user or password has a malformed %-escape (write @ as %40, : as %3A)');
  }
  const secure = url.protocol === 'smtps:';
  return { host: hostName(url), port: url.port ? Number(url.port) : secure ? 465 : 587, secure, auth };
});

// "Name <local@domain>" or "local@domain"; a single-label domain is allowed
// (the default's telepacs@localhost). No CR/LF, quotes or angle brackets in
// the name: it goes into a header.
const ADDRESS = String.raw`[^\s<>@",;:\\()\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?`;
const FROM_PATTERN = new RegExp(String.raw`^(?:([^<>"\\\x00-\x1f\x7f]*?)\s*<(${ADDRESS})>|(${ADDRESS}))$`);

export const mailFromSchema = z.string().transform((value, context): MailAddress => {
  const match = FROM_PATTERN.exec(value.trim());
  if (!match) {
    context.addIssue({ code: 'custom', message: 'MAIL_FROM: expected an address such as telepacs@hospital.example or Telepacs <telepacs@hospital.example> (no quotes or line breaks)' });
    return z.NEVER;
  }
  const name = match[1]?.trim();
  return { name: name || undefined, address: match[2] ?? match[3] };
});
