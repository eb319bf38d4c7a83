// Which of these studies are a patient's filed consent documents (archive-consent-job.ts files
// each signed consent as a study of its own, "Patient consent", under name-based UIDs): a
// consent is evidence about the patient's wishes, not part of their imaging, so the places that
// offer a person's studies to share (the second-opinion form's priors) leave it out.
import type { Database } from '../../../prisma/database';
import { consentDocumentUids } from './archive-consent-job';

export async function consentDocumentStudyUids(db: Pick<Database, 'study' | 'consent'>, studyInstanceUids: readonly string[]): Promise<Set<string>> {
  if (!studyInstanceUids.length) return new Set();
  const records = await db.study.findMany({ where: { studyInstanceUid: { in: [...studyInstanceUids] } }, select: { patientRef: true }, distinct: ['patientRef'] });
  const consents = await db.consent.findMany({ where: { patientRef: { in: records.map((record) => record.patientRef) }, archivedSopInstanceUid: { not: null } }, select: { id: true } });
  const filed = new Set(consents.map((consent) => consentDocumentUids(consent.id).studyInstanceUid));
  return new Set(studyInstanceUids.filter((uid) => filed.has(uid)));
}
