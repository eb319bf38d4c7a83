// One click from a case to a live teleconsultation on its first study
// (issue 15): the requester or the expert who has the case starts it and the
// other is invited; the session is listed on the case (Consultation.referralId).
// An open session of the case the caller takes part in is reused, not doubled.
// Its grants are the consultation's own (lib/grants): they end with it.
import { openConsultation } from '../consult/consultations';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { loadReferral, primaryStudyOf } from './load-referral';
import type { ReferralContext } from './referral-types';

const LIVE_STATUSES = ['ACCEPTED', 'IN_PROGRESS', 'ON_HOLD', 'COMPLETED'];

export async function startCaseConsultation(context: ReferralContext, principal: Principal, referralId: string): Promise<{ id: string; created: boolean }> {
  const { db } = context;
  const { referral, roles } = await loadReferral(db, principal, referralId);
  if (!roles.includes('REQUESTER') && !roles.includes('OWNER')) {
    throw new DomainError('FORBIDDEN', 'consultation by a non-party', { userMessage: 'Claim the case first: then you can talk with the requesting doctor.' });
  }
  if (!LIVE_STATUSES.includes(referral.status) || !referral.ownerId) {
    throw new DomainError('CONFLICT', `consultation refused in ${referral.status}`, { userMessage: 'A teleconsultation starts once an expert has taken the case.' });
  }
  const open = await db.consultation.findFirst({ where: { referralId: referral.id, endedAt: null, participants: { some: { userId: principal.userId } } }, orderBy: { createdAt: 'desc' }, select: { id: true } });
  if (open) return { id: open.id, created: false };
  const primary = primaryStudyOf(referral);
  if (!primary?.studyRef) throw new DomainError('NOT_FOUND', 'case study deleted', { userMessage: 'The study of this case is no longer in the archive.' });
  const otherId = principal.userId === referral.requesterId ? referral.ownerId : referral.requesterId;
  const other = await db.user.findFirst({ where: { id: otherId, disabled: false }, select: { id: true, email: true, nodePeerId: true } });
  if (!other) throw new DomainError('CONFLICT', 'other party disabled', { userMessage: 'The other doctor of this case can no longer sign in.' });
  // A doctor of another node (issue 19) has no account here: they join by an invitation for their facility
  if (other.nodePeerId) {
    throw new DomainError('CONFLICT', 'other party of another node', { userMessage: 'The other doctor works at another node: start a teleconsultation from the study and invite their facility with a link (see Several nodes).' });
  }
  const consultation = await openConsultation(
    { db },
    principal,
    { id: primary.studyRef, facilityId: primary.studyFacilityId, studyInstanceUid: primary.studyInstanceUid, patientId: referral.patientId },
    [other],
    'Second opinion',
    referral.id,
    referral.overrideId,
  );
  return { id: consultation.id, created: true };
}
