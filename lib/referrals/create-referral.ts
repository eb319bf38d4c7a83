// A referring doctor opens a second-opinion case: the patient (of the first
// study), the studies to read (the first one, then priors of the same person,
// across facilities where the records are linked), the clinical question and
// history, the priority, and the addressee (a named expert or a service).
// Sent at once unless kept as a draft. The studies must be readable by the
// requester through their own memberships: a study someone reads only through
// a grant (a consultation, another case) is theirs to look at, not to share.
import { parseInput } from '../admin/errors';
import { DomainError } from '../errors';
import { wakeJobRunners } from '../jobs/job-signals';
import { activePersonOf } from '../patients/linked-records';
import { readScopeFor, withoutStudyGrants } from '../policy/read-scope';
import { resolveReferralAddressee } from '../policy/referral-access';
import { authorizeStudyAccess, type AuthorizedStudy } from '../policy/study-access';
import type { Principal } from '../policy/principal';
import { closeRevokedSockets } from '../grants';
import { addressReferral } from './address-referral';
import { findReferralRow } from './load-referral';
import { recordReferralAudit } from './referral-audit';
import { publishReferralChanged } from './referral-events';
import { notifyReferral } from './referral-notify';
import { ZCreateReferral, type ReferralContext } from './referral-types';
import { assertOwnOverride } from '../policy/override-use';
import { authorizeReferralAddressee } from '../policy/federated-referral-access';
import { queueReferralForward } from '../federation/referrals/forward-referral-job';

export async function createReferral(context: ReferralContext, principal: Principal, input: unknown, now = new Date()): Promise<{ id: string; status: string }> {
  const { db } = context;
  const request = parseInput(ZCreateReferral, input);
  const uids = [...new Set(request.studyInstanceUids)];
  const scope = withoutStudyGrants(await readScopeFor(db, principal.userId));
  const studies: AuthorizedStudy[] = [];
  for (const uid of uids) studies.push(await authorizeStudyAccess(db, scope, uid));
  const rows = await db.study.findMany({ where: { id: { in: studies.map((study) => study.id) } }, select: { id: true, patientRef: true, patient: { select: { patientId: true, name: true } } } });
  const patientOf = new Map(rows.map((row) => [row.id, row]));
  const primary = patientOf.get(studies[0].id)!;
  await checkSamePerson(context, primary.patientRef, studies.slice(1).map((study) => patientOf.get(study.id)!.patientRef));

  const target = await resolveReferralAddressee(db, request.addressee).catch(() => {
    throw new DomainError('INVALID_INPUT', 'unknown addressee', { userMessage: 'Choose an expert or a service from the list.', fields: { addressee: 'Choose an expert or a service from the list' } });
  });
  await authorizeReferralAddressee(db, target, null);
  if (target.targetUserId === principal.userId) {
    throw new DomainError('INVALID_INPUT', 'addressed to oneself', { userMessage: 'A second opinion is asked of someone else.', fields: { addressee: 'Choose someone other than yourself' } });
  }

  const { id, revoked } = await db.$transaction(async (tx) => {
    const created = await tx.referral.create({
      data: {
        facilityId: studies[0].facilityId,
        patientRef: primary.patientRef,
        patientId: primary.patient.patientId,
        patientName: primary.patient.name,
        requesterId: principal.userId,
        createdAt: now,
        status: 'DRAFT',
        priority: request.priority,
        question: request.question,
        history: request.history,
        overrideId: request.overrideId ? await assertOwnOverride(tx, request.overrideId, principal.userId, primary.patientRef) : null,
        ...target,
        studies: { create: studies.map((study, position) => ({ studyRef: study.id, studyFacilityId: study.facilityId, studyInstanceUid: study.studyInstanceUid, primary: position === 0, position })) },
        events: { create: { actorId: principal.userId, action: 'create', fromStatus: null, toStatus: 'DRAFT', at: now } },
      },
      select: { id: true },
    });
    const audited = { id: created.id, facilityId: studies[0].facilityId, patientId: primary.patient.patientId, studyInstanceUid: studies[0].studyInstanceUid };
    const addressee = { userId: target.targetUserId, serviceId: target.targetServiceId, facilityId: target.targetFacilityId };
    await recordReferralAudit(tx, principal, audited, 'referral.create', { priority: request.priority, addressee, studies: uids });
    if (!request.send) return { id: created.id, revoked: [] };
    const row = (await findReferralRow(tx, created.id))!;
    const outcome = await addressReferral(tx, row, target, principal.userId, { keepDueAt: false, reason: 'case sent' }, now);
    await tx.referral.update({ where: { id: created.id }, data: { status: 'REQUESTED', requestedAt: now, dueAt: outcome.dueAt, revision: { increment: 1 } } });
    await tx.referralEvent.create({ data: { referralId: created.id, actorId: principal.userId, action: 'send', fromStatus: 'DRAFT', toStatus: 'REQUESTED', at: now, details: JSON.stringify({ addressee, dueAt: outcome.dueAt.toISOString() }) } });
    await recordReferralAudit(tx, principal, audited, 'referral.send', { from: 'DRAFT', to: 'REQUESTED', addressee, dueAt: outcome.dueAt.toISOString(), priority: request.priority });
    await notifyReferral(context, tx, { id: created.id, facilityId: audited.facilityId, ...target, requesterId: principal.userId, ownerId: null }, 'new', `${created.id}:send`);
    await queueReferralForward(tx, { id: created.id, facilityId: audited.facilityId, targetServiceId: target.targetServiceId, revision: 2 });
    return { id: created.id, revoked: outcome.revoked };
  });
  wakeJobRunners();
  await closeRevokedSockets({ db, io: context.io }, revoked);
  const status = request.send ? 'REQUESTED' : 'DRAFT';
  await publishReferralChanged(context, { referralId: id, status, priority: request.priority, change: request.send ? 'send' : 'create' }, [{ status, requesterId: principal.userId, ownerId: null, ...target }]);
  return { id, status };
}

/** Priors must be the same person's: the same record, or a record linked to it. */
async function checkSamePerson(context: ReferralContext, primaryRef: string, others: readonly string[]): Promise<void> {
  const person = others.some((ref) => ref !== primaryRef) ? await activePersonOf(context.db, primaryRef) : null;
  for (const ref of others) {
    if (ref === primaryRef) continue;
    if (person && (await activePersonOf(context.db, ref)) === person) continue;
    throw new DomainError('INVALID_INPUT', 'studies of different patients', {
      userMessage: 'All studies of a case must be of the same patient.',
      fields: { studyInstanceUids: 'All studies must be of the same patient' },
    });
  }
}
