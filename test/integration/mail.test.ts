// E-mail (issue 15, lib/mail) against a real SMTP server (Debian's
// python3-aiosmtpd, test/support/smtp-server.ts) and a real database (SQLite,
// or PostgreSQL with TEST_DATABASE=postgres): a queued mail arrives once with
// its sender, subject and link and nothing of the patient; a relay that is
// down is retried with backoff and the mail is delivered once when it is back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type Config } from '../../lib/config/config';
import { startJobRunner, type JobRunner } from '../../lib/jobs/job-runner';
import { wakeJobRunners, waitForJob } from '../../lib/jobs/job-signals';
import { createJobRegistry } from '../../lib/jobs/registry';
import { enqueueMail } from '../../lib/mail/enqueue-mail';
import { checkMailRelay } from '../../lib/mail/mail-transport';
import { createUser } from '../../lib/policy/test-fixtures';
import { jobDefinitions } from '../../lib/server/job-handlers';
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import { createArchiveHarness, type ArchiveHarness } from '../support/archive-harness';
import { hasAiosmtpd, header, startSmtpServer, type SmtpServer } from '../support/smtp-server';
import { testDatabaseKind } from '../support/test-database';

const PUBLIC_URL = 'https://pacs.regional.example';

// What a case holds about its patient: none of it may leave in a mail
const PATIENT = { name: 'Kowalczyk^Zofia', id: 'MRN-804711', question: 'Suspected glioblastoma, left temporal lobe?', history: 'Seizures since March' };

const noSmtpServer = !hasAiosmtpd() && !process.env.CI ? 'not installed: python3-aiosmtpd (apt-get install -y python3-aiosmtpd)' : undefined;

describe('e-mail through SMTP_URL', { skip: noSmtpServer }, () => {
  let harness: ArchiveHarness;
  let db: Database;
  const servers: SmtpServer[] = [];
  let requesterId = '';
  const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => logged.push({ level: 'info', message, fields }),
    warn: (message, fields) => logged.push({ level: 'warn', message, fields }),
    error: (message, fields) => logged.push({ level: 'error', message, fields }),
  };

  function mailConfig(smtp: SmtpServer): Config {
    return loadConfig({ SMTP_URL: smtp.url, PUBLIC_URL, MAIL_FROM: 'Regional PACS <pacs@regional.example>' });
  }

  /** The portal's own job handlers (lib/server/job-handlers.ts) for `config`, polling fast. */
  function runner(config: Config): JobRunner {
    return startJobRunner({ db, kind: testDatabaseKind(), archive: harness.archive, logger, registry: createJobRegistry(jobDefinitions(config)), pollIntervalMs: 100 });
  }

  /** A case with its patient's data and its first event, and the mail queued in the same transaction (as lib/referrals does). */
  async function sendCase(config: Config, to: string[], template: 'referral.new' | 'referral.question') {
    return db.$transaction(async (tx) => {
      const referral = await tx.referral.create({
        data: {
          facilityId: harness.facilityId,
          targetFacilityId: harness.otherFacilityId,
          requesterId,
          patientId: PATIENT.id,
          patientName: PATIENT.name,
          question: PATIENT.question,
          history: PATIENT.history,
          status: 'REQUESTED',
          priority: 'STAT',
        },
      });
      const event = await tx.referralEvent.create({ data: { referralId: referral.id, actorId: requesterId, action: 'send', toStatus: 'REQUESTED' } });
      const link = `/referrals/${referral.id}`;
      const job = await enqueueMail(tx, config, { to, template, link, facilityId: harness.facilityId, eventId: event.id });
      return { referral, event, link, job };
    });
  }

  before(async () => {
    harness = await createArchiveHarness();
    db = harness.db;
    requesterId = (await createUser(db, { email: 'doctor@district.example', memberships: [{ facilityId: harness.facilityId, role: 'REFERRING' }] })).id;
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.cleanup()));
    await harness?.cleanup();
  });

  it('sends a new case as a link, once, with no patient data', async () => {
    const smtp = await startSmtpServer();
    servers.push(smtp);
    const config = mailConfig(smtp);
    const jobs = runner(config);
    try {
      const { link, event, job } = await sendCase(config, ['Expert@Regional.example', 'second@regional.example', 'expert@regional.example'], 'referral.new');
      assert.ok(job?.created);
      wakeJobRunners();
      assert.equal((await waitForJob(db, job.id, 15_000)).state, 'DONE');

      const [mail] = await smtp.waitForMessages(1);
      assert.equal(smtp.messages().length, 1, 'one message for all recipients');
      assert.deepEqual(mail.rcptTos, ['expert@regional.example', 'second@regional.example']);
      assert.equal(mail.mailFrom, 'pacs@regional.example');
      assert.equal(header(mail, 'From'), 'Regional PACS <pacs@regional.example>');
      assert.equal(header(mail, 'To'), 'expert@regional.example, second@regional.example');
      assert.equal(header(mail, 'Subject'), 'A new second-opinion case is waiting for you');
      assert.equal(header(mail, 'Message-ID'), `<${job.id}@regional.example>`);
      assert.equal(header(mail, 'Auto-Submitted'), 'auto-generated');
      const url = `${PUBLIC_URL}${link}`;
      assert.match(mail.text ?? '', new RegExp(`^${url.replace(/[.]/g, '\\.')}$`, 'm'), 'the link on a line of its own in the text');
      assert.ok(mail.html?.includes(`href="${url}"`), 'the link in the HTML');

      // Nothing of the patient or the case's text: in the message, nor in the stored job
      const stored = await db.job.findUniqueOrThrow({ where: { id: job.id } });
      for (const where of [mail.raw, mail.text ?? '', mail.html ?? '', stored.payload]) {
        for (const secret of [PATIENT.id, ...PATIENT.name.split('^'), 'glioblastoma', 'temporal', 'Seizures', 'STAT']) {
          assert.ok(!where.includes(secret), `"${secret}" must not be in the mail`);
        }
      }
      assert.ok(logged.some((entry) => entry.message === 'e-mail sent' && entry.fields?.jobId === job.id));

      // The operation retried (same event, same addressees in another order): the same job, no second mail
      const again = await db.$transaction((tx) =>
        enqueueMail(tx, config, { to: ['second@regional.example', 'EXPERT@regional.example'], template: 'referral.new', link, facilityId: harness.facilityId, eventId: event.id }),
      );
      assert.deepEqual(again, { id: job.id, created: false });
      // Another event on the same case is another mail
      const next = await db.$transaction((tx) =>
        enqueueMail(tx, config, { to: ['expert@regional.example'], template: 'referral.new', link, facilityId: harness.facilityId, eventId: `${event.id}-forwarded` }),
      );
      assert.ok(next?.created);
      wakeJobRunners();
      assert.equal((await waitForJob(db, next.id, 15_000)).state, 'DONE');
      assert.equal((await smtp.waitForMessages(2)).length, 2);
    } finally {
      await jobs.stop();
    }
  });

  it('retries while the relay is down and delivers once when it is back', async () => {
    const smtp = await startSmtpServer({ listening: false });
    servers.push(smtp);
    const config = mailConfig(smtp);
    const jobs = runner(config);
    try {
      const { job, link } = await sendCase(config, ['doctor@district.example'], 'referral.question');
      assert.ok(job);
      wakeJobRunners();
      const failedAttempt = async (attempts: number) => {
        const deadline = Date.now() + 15_000;
        for (;;) {
          const row = await db.job.findUniqueOrThrow({ where: { id: job.id } });
          if (row.state === 'PENDING' && row.attempts >= attempts && row.lastError) return row;
          if (Date.now() > deadline) throw new Error(`attempt ${attempts} did not fail in time: ${JSON.stringify(row)}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const first = await failedAttempt(1);
      assert.match(first.lastError ?? '', /ECONNREFUSED|connect/i);
      // Backoff (lib/jobs): the next attempt is seconds away; bring it forward rather than wait
      assert.ok(first.runAt.getTime() > Date.now(), 'the retry waits');
      await db.job.update({ where: { id: job.id }, data: { runAt: new Date() } });
      const second = await failedAttempt(2);
      assert.equal(second.attempts, 2);
      assert.equal(smtp.messages().length, 0);

      await smtp.start();
      await db.job.update({ where: { id: job.id }, data: { runAt: new Date() } });
      wakeJobRunners();
      const outcome = await waitForJob(db, job.id, 15_000);
      assert.equal(outcome.state, 'DONE');
      assert.equal(outcome.attempts, 3);
      const received = await smtp.waitForMessages(1);
      assert.equal(received.length, 1);
      assert.equal(header(received[0], 'Subject'), 'You have a question on a second-opinion case');
      assert.ok(received[0].text?.includes(`${PUBLIC_URL}${link}`));
    } finally {
      await jobs.stop();
    }
  });

  it('checks the relay at start: says whether it answers, never throws', async () => {
    const smtp = await startSmtpServer({ listening: false });
    servers.push(smtp);
    const { mail } = mailConfig(smtp);
    assert.ok(mail);
    logged.length = 0;
    assert.equal(await checkMailRelay(mail, logger), false);
    assert.match(logged.find((entry) => entry.level === 'warn')?.message ?? '', /relay does not answer/);
    await smtp.start();
    assert.equal(await checkMailRelay(mail, logger), true);
    assert.deepEqual(logged.at(-1)?.fields, { relay: smtp.url, from: 'pacs@regional.example' });
    assert.equal(smtp.messages().length, 0, 'a check sends nothing');
  });

  it('queues nothing when mail is off (SMTP_URL unset)', async () => {
    const before = await db.job.count({ where: { type: 'mail.send' } });
    const config = loadConfig({ PUBLIC_URL });
    assert.equal(config.mail, undefined);
    const { job } = await sendCase(config, ['expert@regional.example'], 'referral.new');
    assert.equal(job, null);
    assert.equal(await db.job.count({ where: { type: 'mail.send' } }), before);
  });

  it('refuses a link that is not a path of the portal, and an address that is not one', async () => {
    const config = loadConfig({ SMTP_URL: 'smtp://127.0.0.1:1', PUBLIC_URL });
    const base = { template: 'referral.new' as const, facilityId: harness.facilityId, eventId: 'e1' };
    for (const link of ['https://evil.example/x', '//evil.example/x', 'referrals/1', '/referrals/1\r\nBcc: x@y', '/a b']) {
      await assert.rejects(db.$transaction((tx) => enqueueMail(tx, config, { ...base, to: ['a@b.example'], link })), TypeError, link);
    }
    for (const address of ['no-at-sign', 'a@b.example\r\nBcc: c@d.example', 'Name <a@b.example>']) {
      await assert.rejects(db.$transaction((tx) => enqueueMail(tx, config, { ...base, to: [address], link: '/referrals/1' })), TypeError, address);
    }
  });
});
