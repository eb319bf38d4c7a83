// The e-mails Telepacs sends, with fixed wording. A mail is read outside the
// portal (a phone's lock screen, a shared mailbox, a mail server's logs), so
// it holds a link and no patient data: no name, patient ID, study
// description or free text of the case. Callers choose a template and a link;
// nothing they hold can reach the message.

export interface MailTemplate {
  subject: string;
  /** The one sentence above the link */
  lead: string;
}

export const MAIL_TEMPLATES = {
  'referral.new': {
    subject: 'A new second-opinion case is waiting for you',
    lead: 'A new second-opinion case is waiting for you in Telepacs.',
  },
  'referral.question': {
    subject: 'You have a question on a second-opinion case',
    lead: 'You have a question on a second-opinion case in Telepacs.',
  },
  'referral.answer': {
    subject: 'Your question on a second-opinion case has an answer',
    lead: 'Your question on a second-opinion case in Telepacs has an answer.',
  },
  'referral.report': {
    subject: 'The report on your second-opinion case is signed',
    lead: 'The report on your second-opinion case in Telepacs is signed.',
  },
  'referral.overdue': {
    subject: 'A second-opinion case is overdue',
    lead: 'A second-opinion case in Telepacs has passed its due time.',
  },
  'referral.declined': {
    subject: 'A second-opinion case was declined',
    lead: 'A second-opinion case you sent in Telepacs was declined.',
  },
  'override.started': {
    subject: 'Emergency access without consent was opened',
    lead: "A clinician opened a patient's images in Telepacs without consent (emergency override). It waits for your review.",
  },
  'transfer.escalated': {
    subject: 'URGENT: an emergency transfer alarm is not acknowledged',
    lead: 'A patient is being transferred to your service and nobody has acknowledged the alarm in Telepacs. Open the notice now.',
  },
} as const satisfies Record<string, MailTemplate>;

export type MailTemplateName = keyof typeof MAIL_TEMPLATES;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const FOOTER = 'This message holds no patient information. It was sent automatically; replies are not read.';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The subject and bodies of a template, pointing at `url` (absolute). */
export function renderMail(template: MailTemplateName, url: string): RenderedMail {
  const { subject, lead } = MAIL_TEMPLATES[template];
  const text = `${lead}\n\nOpen it in Telepacs (sign-in required):\n${url}\n\n-- \n${FOOTER}\n`;
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif">',
    `<p>${escapeHtml(lead)}</p>`,
    `<p><a href="${escapeHtml(url)}">Open it in Telepacs</a> (sign-in required)</p>`,
    `<p style="color: #666; font-size: smaller">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}
