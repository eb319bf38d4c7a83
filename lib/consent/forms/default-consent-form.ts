// The consent form shipped with Telepacs, in English and French: what a patient
// agrees to when their images are shared outside the facility that made them.
// Every facility that has no form of its own gets it as version 1 the first
// time its forms are read (lib/consent/forms/list-consent-forms.ts); its admin
// then publishes their own wording as version 2, 3… (publish-consent-form.ts).
// The recipient, purpose and period are chosen on the consent itself, so the
// text names them by reference ("the recipient named on this form").
import type { Database } from '../../../prisma/database';
import { isUniqueViolation } from './consent-form-types';

export const DEFAULT_CONSENT_FORM_KEY = 'imaging-sharing';

export interface DefaultConsentForm {
  language: string;
  title: string;
  body: string;
}

const ENGLISH = `What is shared
Your medical images (for example X-rays, CT, MRI or ultrasound) and the reports written about them, held by this facility.

With whom
Only the recipient named on this form: a facility, a department, a named doctor, or the facilities of the region. Nobody else receives them through this consent.

What for
Only the purpose named on this form: a second opinion, a teleconsultation, emergency care, a transfer of your care, or research. The recipient may look at your images for that purpose only.

Your choice
You do not have to agree. Refusing, now or later, changes nothing in the care you receive here. You may withdraw this consent at any time by telling the staff of this facility: the recipient's access then ends at once. An opinion or report already written by the recipient stays part of your medical record.

How long
From today until the end date written on this form, or, if there is none, until you withdraw it.

Every access to your images under this consent is recorded, and you may ask this facility who looked at them and when.`;

const FRENCH = `Ce qui est partagé
Vos images médicales (par exemple radiographies, scanner, IRM ou échographie) et les comptes rendus qui les accompagnent, conservés par cet établissement.

Avec qui
Uniquement le destinataire indiqué sur ce formulaire : un établissement, un service, un médecin nommé, ou les établissements de la région. Personne d'autre ne les reçoit au titre de ce consentement.

Dans quel but
Uniquement le motif indiqué sur ce formulaire : un deuxième avis, une téléconsultation, des soins d'urgence, un transfert de votre prise en charge, ou la recherche. Le destinataire ne peut consulter vos images que dans ce but.

Votre choix
Vous n'êtes pas obligé(e) d'accepter. Refuser, maintenant ou plus tard, ne change rien aux soins que vous recevez ici. Vous pouvez retirer ce consentement à tout moment en le disant au personnel de cet établissement : l'accès du destinataire prend fin immédiatement. Un avis ou un compte rendu déjà rédigé par le destinataire reste dans votre dossier médical.

Pour combien de temps
À partir d'aujourd'hui et jusqu'à la date de fin indiquée sur ce formulaire, ou, s'il n'y en a pas, jusqu'à ce que vous le retiriez.

Chaque consultation de vos images au titre de ce consentement est enregistrée ; vous pouvez demander à cet établissement qui les a consultées et quand.`;

export const DEFAULT_CONSENT_FORMS: readonly DefaultConsentForm[] = [
  { language: 'en', title: 'Consent to share my medical images', body: ENGLISH },
  { language: 'fr', title: 'Consentement au partage de mes images médicales', body: FRENCH },
];

/**
 * Gives a facility without any consent form (none at all, retired ones count) the
 * shipped one as version 1 in each language; returns how many rows it wrote.
 * Idempotent under a race: two first uses at once both try to write version 1,
 * the unique index (facility, key, language, version) keeps one row per language
 * and the loser's insert is simply skipped. Written outside any transaction on
 * purpose: on PostgreSQL a refused insert would abort the whole transaction.
 */
export async function ensureDefaultConsentForms(db: Pick<Database, 'consentForm'>, facilityId: string): Promise<number> {
  if ((await db.consentForm.count({ where: { facilityId } })) > 0) return 0;
  let written = 0;
  for (const form of DEFAULT_CONSENT_FORMS) {
    try {
      await db.consentForm.create({ data: { facilityId, key: DEFAULT_CONSENT_FORM_KEY, version: 1, language: form.language, title: form.title, body: form.body, createdById: null } });
      written += 1;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return written;
}
