// A facility admin publishes a new wording of a consent form: a new row, the
// next version of that key in that language (the first is 1). Earlier versions
// stay as they are, readable by id: consents already signed point at them.
// Two admins publishing the same key and language at once: the unique index
// (facility, key, language, version) lets one version N commit and refuses the
// other (CONFLICT, nothing half-stored). Where the transactions run one after
// the other (SQLite), the second sees a version newer than the one its editor
// started from (`baseVersion`) and gets the same CONFLICT.
import type { Database } from '../../../prisma/database';
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { authorizeAdminArea } from '../../policy';
import { consentFormView, isUniqueViolation, ZPublishConsentForm, type ConsentFormView } from './consent-form-types';

export async function publishConsentForm(context: { db: Database }, actor: { userId: string; email: string; ip: string }, facilityId: string, input: unknown): Promise<ConsentFormView> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const form = parseInput(ZPublishConsentForm, input);
  try {
    const row = await db.$transaction(async (tx) => {
      const latest = (await tx.consentForm.findFirst({ where: { facilityId, key: form.key, language: form.language }, orderBy: { version: 'desc' }, select: { version: true } }))?.version ?? 0;
      if (form.baseVersion !== undefined && form.baseVersion !== latest) throw conflict(form, latest);
      const created = await tx.consentForm.create({
        data: { facilityId, key: form.key, language: form.language, version: latest + 1, title: form.title, body: form.body, createdById: actor.userId },
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
    if (isUniqueViolation(error)) throw conflict(form, null);
    throw error;
  }
}

function conflict(form: { key: string; language: string; baseVersion?: number }, latest: number | null): DomainError {
  const which = latest === null || latest === 0 ? 'a new version' : `version ${latest}`;
  return new DomainError('CONFLICT', `consent form ${form.key} (${form.language}): publish based on version ${form.baseVersion ?? 'latest'} lost to ${which}`, {
    userMessage: `Someone else published ${which} of ${form.key} (${form.language}) meanwhile, so yours was not saved. Reload the page to read it, then publish again if it still needs changing.`,
  });
}
