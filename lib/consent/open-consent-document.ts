// Opening a consent's evidence PDF: for members of the facility holding any of the
// person's records (as the patient page shows the person's consents), audited for the
// consent's facility. NOT_FOUND for anyone else.
import { auditQueueFor } from '../audit/audit-queue';
import { PolicyError } from '../policy/errors';
import { authorizePatientConsent } from '../policy/consent-access';
import { personRecordRefs } from '../policy/share-basis';
import type { Runtime } from '../runtime';
import { readConsentDocument } from './document/read-consent-document';
import type { ConsentActor } from './record-consent';

export async function openConsentDocument(context: Pick<Runtime, 'db' | 'archive' | 'logger' | 'shared' | 'config'>, actor: ConsentActor, consentId: string): Promise<{ fileName: string; bytes: Buffer }> {
  const { db } = context;
  const consent = await db.consent.findUnique({ where: { id: consentId }, select: { patientRef: true, facilityId: true, patient: { select: { patientId: true } } } });
  if (!consent) throw new PolicyError('NOT_FOUND', 'consent not found');
  const records = await personRecordRefs(db, consent.patientRef);
  let allowed = false;
  for (const record of records) {
    try {
      await authorizePatientConsent(db, actor.userId, record);
      allowed = true;
      break;
    } catch {
      // not this record's facility
    }
  }
  if (!allowed) throw new PolicyError('NOT_FOUND', 'consent not found');
  const document = await readConsentDocument(context, consentId);
  auditQueueFor(context).enqueue({
    actor: actor.email,
    actorUserId: actor.userId,
    action: 'consent.document',
    outcome: 'SUCCESS',
    facilityId: consent.facilityId,
    patientId: consent.patient.patientId,
    sourceIp: actor.ip,
    resource: `consents/${consentId}/document`,
    details: { consentId },
  });
  return document;
}
