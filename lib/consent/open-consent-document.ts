// Opening a consent's evidence PDF: for members of the facility holding any of the
// person's records (as the patient page shows the person's consents), audited for the
// consent's facility. NOT_FOUND for anyone else.
import { auditQueueFor } from '../audit/audit-queue';
import { authorizeConsentRead } from '../policy/consent-access';
import type { Runtime } from '../runtime';
import { readConsentDocument } from './document/read-consent-document';
import type { ConsentActor } from './record-consent';

export async function openConsentDocument(context: Pick<Runtime, 'db' | 'archive' | 'logger' | 'shared' | 'config'>, actor: ConsentActor, consentId: string): Promise<{ fileName: string; bytes: Buffer }> {
  const { db } = context;
  await authorizeConsentRead(db, actor.userId, consentId);
  const consent = await db.consent.findUniqueOrThrow({ where: { id: consentId }, select: { facilityId: true, patient: { select: { patientId: true } } } });
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
