// A share refused for want of consent is a refused attempt at the patient's data:
// recorded (through the audit queue, outside the workflow's rolled-back
// transaction) in the facility that holds the data, so its administrators and
// privacy officer see who tried to share what with whom. Called by the one HTTP
// error mapper (app/_lib/error-response.ts) for every route.
import { auditQueueFor } from '../audit/audit-queue';
import type { Runtime } from '../runtime';
import type { ConsentRequiredError } from '../policy/share-basis';

export async function recordRefusedShare(context: Pick<Runtime, 'db' | 'logger' | 'shared' | 'config'>, error: ConsentRequiredError, sourceIp = ''): Promise<void> {
  try {
    const user = error.attemptedBy ? await context.db.user.findUnique({ where: { id: error.attemptedBy }, select: { email: true } }) : null;
    auditQueueFor(context).enqueue({
      actor: user?.email ?? 'system',
      actorUserId: error.attemptedBy,
      action: 'consent.share_refused',
      outcome: 'DENIED',
      facilityId: error.owner.facilityId,
      patientId: error.owner.patientId,
      studyUid: error.owner.studyUid,
      sourceIp,
      resource: `patients/${error.shortfall.patientRef}`,
      details: { purpose: error.shortfall.purpose, recipient: error.shortfall.recipient, denied: error.shortfall.denied, studyUid: error.owner.studyUid },
    });
  } catch (failure) {
    context.logger.warn('refused share not audited', { error: String(failure) });
  }
}
