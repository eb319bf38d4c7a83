// What the "Ask for a second opinion" form offers (app/referrals/new): the
// patient, and the studies the caller may put in a case — the given study
// first, then the person's other studies (priors), across linked records —
// only those of the caller's own facilities: a study they read only through a
// grant (a teleconsultation, another case) is theirs to look at, not to share
// (createReferral refuses it the same way). null when the caller cannot read
// the study or patient at all (the page answers "not found"); 'not-shareable'
// when they read it only through a grant. The patient's filed consent documents are not
// offered as priors.
import type { Database } from '../../prisma/database';
import { readScopeFor, withoutStudyGrants } from '../policy/read-scope';
import { patientHistory } from '../search/patient-history';
import { consentDocumentStudyUids } from '../consent/document/consent-document-studies';

export interface ReferralFormStudy {
  studyInstanceUid: string;
  studyDate: string;
  description: string;
  modalities: string[];
  facilityName: string;
  numberOfInstances: number;
}

export interface ReferralFormChoices {
  patient: { id: string; patientId: string; name: string; sex: string; birthDate: string; facilityId: string; facilityName: string };
  /** The study the case is about first (preselected), then the priors, newest first; one entry per Study Instance UID */
  studies: ReferralFormStudy[];
}

export type ReferralFormSource = { studyInstanceUid: string } | { patientRef: string };

export async function referralFormChoices(context: { db: Database }, userId: string, source: ReferralFormSource): Promise<ReferralFormChoices | 'not-shareable' | null> {
  const { db } = context;
  const fullScope = await readScopeFor(db, userId);
  const scope = withoutStudyGrants(fullScope);
  const facilityIds = scope.kind === 'all' ? null : scope.facilityIds;
  let patientRef: string;
  let firstUid: string | null = null;
  if ('studyInstanceUid' in source) {
    // The copy of the caller's own facilities (each facility holds its own)
    const copies = await db.study.findMany({ where: { studyInstanceUid: source.studyInstanceUid }, select: { patientRef: true, facilityId: true }, orderBy: { id: 'asc' } });
    const own = copies.find((copy) => facilityIds === null || facilityIds.includes(copy.facilityId));
    if (!own) return copies.length && (await patientHistory(db, fullScope, copies[0].patientRef)) ? 'not-shareable' : null;
    patientRef = own.patientRef;
    firstUid = source.studyInstanceUid;
  } else {
    patientRef = source.patientRef;
  }
  const history = await patientHistory(db, scope, patientRef);
  if (!history) return 'studyInstanceUid' in source || !(await patientHistory(db, fullScope, patientRef)) ? null : 'not-shareable';
  const seen = new Set<string>();
  const studies: ReferralFormStudy[] = [];
  for (const study of history.studies) {
    if (seen.has(study.studyInstanceUid)) continue;
    seen.add(study.studyInstanceUid);
    studies.push({
      studyInstanceUid: study.studyInstanceUid,
      studyDate: study.studyDate,
      description: study.description,
      modalities: study.modalities,
      facilityName: study.facility.name,
      numberOfInstances: study.numberOfInstances,
    });
  }
  // A filed consent document is not a prior to send to an expert (lib/consent/document)
  const consentStudies = await consentDocumentStudyUids(db, studies.map((study) => study.studyInstanceUid));
  if (consentStudies.size) studies.splice(0, studies.length, ...studies.filter((study) => study.studyInstanceUid === firstUid || !consentStudies.has(study.studyInstanceUid)));
  if (!studies.length) return 'not-shareable';
  const firstAt = firstUid ? studies.findIndex((study) => study.studyInstanceUid === firstUid) : 0;
  if (firstAt < 0) return null;
  const ordered = [studies[firstAt], ...studies.filter((_, index) => index !== firstAt)];
  return {
    patient: { id: history.id, patientId: history.patientId, name: history.name, sex: history.sex, birthDate: history.birthDate, facilityId: history.facility.id, facilityName: history.facility.name },
    studies: ordered,
  };
}
