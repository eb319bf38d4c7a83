// Every background job type this node runs, by type (lib/jobs/job-types.ts
// lists their payloads). A type enqueued but missing here is retried with
// backoff until a process that knows it runs it.
import { exportSrJob } from '../consult/export-sr-job';
import { escalateReferralJob } from '../referrals/escalate-referral-job';
import type { AnyJobDefinition } from '../jobs/registry';
import { archiveAttachmentJob } from '../referrals/attachments/archive-attachment-job';

export const JOB_DEFINITIONS: readonly AnyJobDefinition[] = [exportSrJob, escalateReferralJob, archiveAttachmentJob];
