// The exact consent form version a patient is about to sign (or signed): the
// signing screen shows its text, and the consent records its id. Readable by
// the facility's enabled members (the clinicians who record consents; its
// admins too), retired or superseded ones included — a consent already signed
// still shows the words its patient read. NOT_FOUND for everyone else and for
// another facility's form. `current` says whether it is still the version
// offered, so a new signature can refuse a withdrawn or outdated text.
import type { Database } from '../../../prisma/database';
import { PolicyError } from '../../policy';
import { consentFormView, type ConsentFormView } from './consent-form-types';

export interface ConsentFormForSigning extends ConsentFormView {
  /** The highest version of its key and language, and not retired */
  current: boolean;
}

export async function getConsentFormForSigning(db: Database, actor: { userId: string }, facilityId: string, formId: string): Promise<ConsentFormForSigning> {
  const member = await db.membership.findFirst({ where: { userId: actor.userId, facilityId, user: { disabled: false }, facility: { disabledAt: null } }, select: { id: true } });
  const form = member ? await db.consentForm.findFirst({ where: { id: formId, facilityId } }) : null;
  if (!form) throw new PolicyError('NOT_FOUND', 'consent form not found');
  const newer = await db.consentForm.count({ where: { facilityId, key: form.key, language: form.language, version: { gt: form.version } } });
  return { ...consentFormView(form), current: form.retiredAt === null && newer === 0 };
}
