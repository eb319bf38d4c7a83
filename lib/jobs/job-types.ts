// The one list of job types and their payloads. A module that needs a job adds
// its type here (the payload type beside its handler), registers the handler in
// lib/server/job-handlers.ts, and enqueues it with enqueueJob(tx, …) inside the
// transaction of the change that needs it. Tests add their own types by
// declaration merging (`declare module '…/lib/jobs/job-types'`).
import type { ExportSrJobPayload } from '../consult/export-sr-job';
import type { EscalateReferralPayload } from '../referrals/escalate-referral-job';
import type { ArchiveAttachmentJobPayload } from '../referrals/attachments/archive-attachment-job';
import type { SendMailJobPayload } from '../mail/send-mail-job';
import type { ArchiveConsentJobPayload } from '../consent/document/archive-consent-job';
import type { ExpireOverridePayload } from '../emergency-override/expire-override-job';
import type { EscalateTransferPayload } from '../transfers/escalate-transfer-job';
import type { TransferWebhookPayload } from '../transfers/transfer-webhook-job';
import type { PrefetchPriorsPayload } from '../orders/prefetch-priors-job';
import type { SendReportJobPayload } from '../hl7/report/send-report-job';
import type { AnnounceKeyPayload, SyncFacilitiesPayload, TellStatusPayload } from '../federation/peers/peer-jobs';
import type { SendStudyJobPayload } from '../federation/transfers/send-study-job';
import type { ForwardNoticePayload } from '../federation/notices/forward-notice-job';
import type { NoticeChangePayload } from '../federation/notices/relay-notice-change';
import type { ForwardReferralPayload } from '../federation/referrals/forward-referral-job';
import type { ReferralChangePayload } from '../federation/referrals/relay-referral-change';

export interface JobPayloads {
  /** Build a teleconsultation's SR and store it in the archive (lib/consult/export-sr-job.ts) */
  'consult.export-sr': ExportSrJobPayload;
  /** A second-opinion case reached its due time: tell the service and its admins if nobody claimed or reported it (lib/referrals/escalate-referral-job.ts) */
  'referral.escalate': EscalateReferralPayload;
  /** File a case's attachment into the archive as Encapsulated PDF / Secondary Capture (lib/referrals/attachments/archive-attachment-job.ts) */
  'referral.attachment-archive': ArchiveAttachmentJobPayload;
  /** Send one e-mail through SMTP_URL (lib/mail/send-mail-job.ts); queued by enqueueMail */
  'mail.send': SendMailJobPayload;
  /** File a consent's evidence PDF into the patient's record as an Encapsulated PDF (lib/consent/document/archive-consent-job.ts) */
  'consent.archive': ArchiveConsentJobPayload;
  /** An emergency override reached its end: revoke its grants, record 110138 (lib/emergency-override/expire-override-job.ts) */
  'override.expire': ExpireOverridePayload;
  /** An emergency transfer alarm nobody acknowledged in time: tell the on-call list and admins, call the webhook (lib/transfers/escalate-transfer-job.ts) */
  'transfer.escalate': EscalateTransferPayload;
  /** POST an escalated alarm to EMERGENCY_WEBHOOK_URL (lib/transfers/transfer-webhook-job.ts) */
  'transfer.webhook': TransferWebhookPayload;
  /** A new imaging order: its patient's relevant priors made ready (lib/orders/prefetch-priors-job.ts) */
  'order.prefetch-priors': PrefetchPriorsPayload;
  /** A signed report version to the facility's RIS as ORU^R01 over MLLP (lib/hl7/report/send-report-job.ts); queued in the signature's transaction */
  'hl7.send-report': SendReportJobPayload;
  /** Ask a paired node for its facilities and mirror them here (lib/federation/peers/peer-jobs.ts) */
  'federation.sync-facilities': SyncFacilitiesPayload;
  /** Tell a paired node we suspended, resumed or unpaired it (lib/federation/peers/peer-jobs.ts) */
  'federation.tell-status': TellStatusPayload;
  /** Tell a paired node our new key, signed with the previous one (lib/federation/peers/peer-jobs.ts) */
  'federation.announce-key': AnnounceKeyPayload;
  /** Send a study to a facility of a paired node by STOW-RS, resumable and verified (lib/federation/transfers/send-study-job.ts) */
  'federation.send-study': SendStudyJobPayload;
  /** Deliver an emergency transfer notice to the paired node of its service, then queue its images (lib/federation/notices/forward-notice-job.ts) */
  'federation.forward-notice': ForwardNoticePayload;
  /** Tell the paired node a notice is shared with of a change here (lib/federation/notices/relay-notice-change.ts) */
  'federation.notice-change': NoticeChangePayload;
  /** Deliver a second-opinion case to the paired node of its addressee, then its studies (lib/federation/referrals/forward-referral-job.ts) */
  'federation.forward-referral': ForwardReferralPayload;
  /** Tell the paired node a case is shared with of a change here (lib/federation/referrals/relay-referral-change.ts) */
  'federation.referral-change': ReferralChangePayload;
}

export type JobType = keyof JobPayloads & string;

/**
 * PENDING: waits for runAt; RUNNING: claimed, lease until lockedUntil;
 * DONE: handled; FAILED: attempts used up, kept for an admin to retry.
 */
export type JobState = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED';

/** A job as the runner claims it. */
export interface ClaimedJob {
  id: string;
  type: string;
  key: string;
  payload: string;
  facilityId: string | null;
  /** Including this one */
  attempts: number;
  maxAttempts: number;
  priority: number;
}

// 5 s, 10 s, 20 s … capped at an hour: a short outage (the database restarting,
// a full disk being cleared) is ridden out within minutes, a long one is not
// hammered. Ten attempts span about two and a half hours before FAILED.
export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 60 * 60 * 1000;
export const DEFAULT_MAX_ATTEMPTS = 10;
/** From this many attempts on, a job that has not succeeded is shown to the facility's admins. */
export const FAILING_AFTER_ATTEMPTS = 3;

/** An emergency's job (priority > 0: a notice, its images) waits at most this long between attempts: its node may be back any second */
export const EMERGENCY_MAX_RETRY_MS = 15_000;

/** The wait before the next attempt, after `attempts` attempts have failed. */
export function retryDelayMs(attempts: number, priority = 0): number {
  return Math.min(priority > 0 ? EMERGENCY_MAX_RETRY_MS : MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}
