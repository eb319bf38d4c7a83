// Every background job type this node runs, by type (lib/jobs/job-types.ts
// lists their payloads). A type enqueued but missing here is retried with
// backoff until a process that knows it runs it. Handlers that depend on the
// settings (the SMTP relay) are made for this process's configuration.
import type { Config } from '../config/config';
import { exportSrJob } from '../consult/export-sr-job';
import { createEscalateReferralJob } from '../referrals/escalate-referral-job';
import type { AnyJobDefinition } from '../jobs/registry';
import { archiveAttachmentJob } from '../referrals/attachments/archive-attachment-job';
import { createSendMailJob } from '../mail/send-mail-job';
import { archiveConsentJob } from '../consent/document/archive-consent-job';
import { createExpireOverrideJob } from '../emergency-override/expire-override-job';
import { createEscalateTransferJob } from '../transfers/escalate-transfer-job';
import { createTransferWebhookJob } from '../transfers/transfer-webhook-job';
import { createPrefetchPriorsJob } from '../orders/prefetch-priors-job';
import { createSendReportJob } from '../hl7/report/send-report-job';
import { peerJobDefinitions } from '../federation/peers/peer-jobs';
import { createSendStudyJob } from '../federation/transfers/send-study-job';
import { createForwardNoticeJob } from '../federation/notices/forward-notice-job';
import { createNoticeChangeJob } from '../federation/notices/relay-notice-change';
import { createForwardReferralJob } from '../federation/referrals/forward-referral-job';
import { createReferralChangeJob } from '../federation/referrals/relay-referral-change';

/** What handlers use of the running process: the series metadata warmer (absent in a process without one). */
export interface JobProcessParts {
  warmSeries?: (seriesIds: readonly string[]) => Promise<void>;
  /** The process's shared state (runtime.shared): where lib/federation finds this node's URL */
  shared?: Map<string, unknown>;
}

export function jobDefinitions(config: Pick<Config, 'mail' | 'emergencyWebhookUrl' | 'publicUrl' | 'hl7' | 'dataDir' | 'nodeName'>, parts: JobProcessParts = {}): readonly AnyJobDefinition[] {
  const federation = { config, shared: parts.shared ?? new Map<string, unknown>() };
  return [
    ...peerJobDefinitions(federation),
    createSendStudyJob(federation),
    createForwardNoticeJob(federation),
    createNoticeChangeJob(federation),
    createForwardReferralJob(federation),
    createReferralChangeJob(federation),
    exportSrJob,
    createEscalateReferralJob(config),
    archiveAttachmentJob,
    createSendMailJob(config.mail),
    archiveConsentJob,
    createExpireOverrideJob(),
    createEscalateTransferJob(config),
    createTransferWebhookJob(config),
    createPrefetchPriorsJob({ warmSeries: parts.warmSeries }),
    createSendReportJob({ config }),
  ];
}
