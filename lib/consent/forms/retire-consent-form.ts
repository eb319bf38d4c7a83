// A facility admin retires a consent form: it is no longer offered for signing
// in that language. Retiring a version retires the earlier ones of the same key
// and language too (they were already superseded), so the form is withdrawn,
// not rolled back to an older wording; publishing again brings it back as the
// next version. Retired rows stay readable by id: signed consents point at them.
import type { Database } from '../../../prisma/database';
import { recordAudit } from '../../audit/record-audit';
import { authorizeAdminArea, PolicyError } from '../../policy';
import { consentFormView, type ConsentFormView } from './consent-form-types';

/** NOT_FOUND for a form of another facility (or none); retiring a retired form changes nothing. */
export async function retireConsentForm(context: { db: Database }, actor: { userId: string; email: string; ip: string }, facilityId: string, formId: string, now = new Date()): Promise<ConsentFormView> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const form = await db.consentForm.findFirst({ where: { id: formId, facilityId } });
  if (!form) throw new PolicyError('NOT_FOUND', 'consent form not found');
  if (form.retiredAt) return consentFormView(form);
  const row = await db.$transaction(async (tx) => {
    await tx.consentForm.updateMany({ where: { facilityId, key: form.key, language: form.language, version: { lte: form.version }, retiredAt: null }, data: { retiredAt: now } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consent.form.retire',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `consent-form:${form.id}`,
      details: { key: form.key, language: form.language, version: form.version },
    });
    return tx.consentForm.findUniqueOrThrow({ where: { id: form.id } });
  });
  return consentFormView(row);
}
