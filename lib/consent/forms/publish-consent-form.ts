// A facility admin publishes a new wording of a consent form: a new row, the
// next version of that key in that language (the first is 1). Earlier versions
// stay as they are, readable by id: consents already signed point at them.
// Two admins publishing the same key and language at once both compute the same
// next version; the unique index (facility, key, language, version) lets one
// commit and the other gets CONFLICT, nothing half-stored.
import type { Database } from '../../../prisma/database';
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { authorizeFacilityAdministration } from '../../policy';
import { consentFormView, isUniqueViolation, ZPublishConsentForm, type ConsentFormView } from './consent-form-types';

export async function publishConsentForm(context: { db: Database }, actor: { userId: string; email: string; ip: string }, facilityId: string, input: unknown): Promise<ConsentFormView> {
  const { db } = context;
  await authorizeFacilityAdministration(db, actor.userId, facilityId);
  const form = parseInput(ZPublishConsentForm, input);
  try {
    const row = await db.$transaction(async (tx) => {
      const latest = await tx.consentForm.findFirst({ where: { facilityId, key: form.key, language: form.language }, orderBy: { version: 'desc' }, select: { version: true } });
      const created = await tx.consentForm.create({
        data: { facilityId, key: form.key, language: form.language, version: (latest?.version ?? 0) + 1, title: form.title, body: form.body, createdById: actor.userId },
      });
      await recordAudit(tx, {
        actor: actor.email,
        actorUserId: actor.userId,
        action: 'consent.form.create',
        outcome: 'SUCCESS',
        facilityId,
        sourceIp: actor.ip,
        resource: `consent-form:${created.id}`,
        details: { key: created.key, language: created.language, version: created.version, title: created.title },
      });
      return created;
    });
    return consentFormView(row);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new DomainError('CONFLICT', `concurrent publish of consent form ${form.key} (${form.language}) in facility ${facilityId}`, {
      userMessage: `Someone published a new version of "${form.key}" (${form.language}) at the same moment, so yours was not saved. Reload to read it, then publish again if it still needs changing.`,
    });
  }
}
