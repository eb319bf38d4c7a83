// The consent forms of a facility. Its members see the current ones (per key and
// language, the highest version not retired), which a patient may be asked to
// sign; its admins may also ask for the history (every version, retired ones
// too, newest first), which the Consent tab of the administration shows. A
// facility without any form gets the shipped one here, at its first use.
import type { Database } from '../../../prisma/database';
import { authorizeAdminArea, authorizeFacilityMember } from '../../policy';
import { consentFormView, currentVersions, type ConsentFormView } from './consent-form-types';
import { ensureDefaultConsentForms } from './default-consent-form';

export interface ConsentFormList {
  /** The forms a patient may be asked to sign, by key then language */
  forms: ConsentFormView[];
  /** With `history`: every version, by key, language, then newest version first */
  history?: ConsentFormView[];
}

/**
 * NOT_FOUND for anyone who is not an enabled member of the facility; with
 * `history`, FORBIDDEN for a member who is not its admin.
 */
export async function listConsentForms(context: { db: Database }, actor: { userId: string }, facilityId: string, options: { history?: boolean } = {}): Promise<ConsentFormList> {
  const { db } = context;
  if (options.history) await authorizeAdminArea(db, actor.userId, facilityId);
  else await authorizeFacilityMember(db, actor.userId, facilityId);
  await ensureDefaultConsentForms(db, facilityId);
  const rows = await db.consentForm.findMany({ where: { facilityId }, orderBy: [{ key: 'asc' }, { language: 'asc' }, { version: 'desc' }] });
  const forms = currentVersions(rows).map(consentFormView);
  return options.history ? { forms, history: rows.map(consentFormView) } : { forms };
}
