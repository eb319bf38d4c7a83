// What the consent screens offer (app/patients/[id]/consent/new): the patient,
// their studies (across linked records: a consent may name any of the person's
// studies), to whom (the node's enabled facilities, services and experts, as
// the second-opinion form lists them), and the facility's current consent
// forms (per key and language, the highest version not retired) for signing.
// Members of the record's facility only (NOT_FOUND otherwise).
import { listConsentForms } from './forms/list-consent-forms';
import type { Database } from '../../prisma/database';
import { authorizePatientConsent, type ConsentPatient } from '../policy/consent-access';
import { personRecordRefs } from '../policy/share-basis';
import { listReferralAddressees } from '../referrals/list-addressees';

export interface ConsentSigningForm {
  id: string;
  key: string;
  version: number;
  language: string;
  title: string;
  body: string;
}

export interface ConsentFormChoices {
  patient: ConsentPatient;
  studies: { studyInstanceUid: string; description: string; studyDate: string; modalities: string; facility: string }[];
  facilities: { id: string; name: string }[];
  services: { id: string; name: string; facilityName: string }[];
  people: { userId: string; name: string; facilityName: string }[];
  forms: ConsentSigningForm[];
}

export async function consentFormChoices(context: { db: Database }, actor: { userId: string; email: string; ip: string }, patientRef: string): Promise<ConsentFormChoices> {
  const { db } = context;
  const patient = await authorizePatientConsent(db, actor.userId, patientRef);
  const records = await personRecordRefs(db, patient.id);
  const [studies, facilities, addressees, forms] = await Promise.all([
    db.study.findMany({
      where: { patientRef: { in: records } },
      orderBy: [{ studyDate: 'desc' }, { id: 'asc' }],
      select: { studyInstanceUid: true, description: true, studyDate: true, modalities: true, facility: { select: { name: true } } },
    }),
    db.facility.findMany({ where: { disabledAt: null }, orderBy: [{ name: 'asc' }, { id: 'asc' }], select: { id: true, name: true, nodePeerId: true } }),
    listReferralAddressees(context, actor),
    listConsentForms(context, actor, patient.facilityId).then((list) => list.forms.map(({ id, key, version, language, title, body }) => ({ id, key, version, language, title, body }))),
  ]);
  // A facility of a paired node is named with its node: two nodes' "Demo Hospital" are two recipients (issue 19)
  const peerIds = [...new Set(facilities.map((facility) => facility.nodePeerId).filter((id): id is string => id !== null))];
  const peers = peerIds.length ? await db.nodePeer.findMany({ where: { id: { in: peerIds } }, select: { id: true, name: true } }) : [];
  const nodeOf = (facility: { nodePeerId: string | null }) => peers.find((peer) => peer.id === facility.nodePeerId)?.name;
  // One entry per Study Instance UID: a study held by two linked facilities is one study to the patient
  const seen = new Set<string>();
  return {
    patient,
    studies: studies
      .filter((study) => !seen.has(study.studyInstanceUid) && seen.add(study.studyInstanceUid))
      .map((study) => ({ studyInstanceUid: study.studyInstanceUid, description: study.description, studyDate: study.studyDate, modalities: study.modalities.split('\\').filter(Boolean).join('/'), facility: study.facility.name })),
    facilities: facilities.filter((facility) => facility.id !== patient.facilityId).map((facility) => ({ id: facility.id, name: nodeOf(facility) ? `${facility.name} (${nodeOf(facility)})` : facility.name })),
    services: addressees.services.filter((service) => service.facilityId !== patient.facilityId).map((service) => ({ id: service.id, name: service.name, facilityName: service.facilityName })),
    people: addressees.experts.filter((expert) => expert.facilityId !== patient.facilityId).map((expert) => ({ userId: expert.userId, name: expert.name, facilityName: expert.facilityName })),
    forms,
  };
}
