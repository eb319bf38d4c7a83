// Break-glass (issue 16): a clinician opens a patient's images without consent,
// for a limited time (default 4 h), re-entering their password (checked and
// throttled exactly like a report signature: lib/auth/verify-credentials.ts,
// door override.start) and stating a reason. The patient must be known to them:
// the facility they act for holds a record of the person, else NOT_FOUND.
//
// Two uses, one function:
// - self: the clinician reads the person's images now: a grant (purpose
//   EMERGENCY, source 'override', resting on the override) on every study copy
//   of the person's records that their read scope does not read already, until
//   the override's end;
// - share: the override is only the basis a workflow (referral, teleconsultation
//   invite) names when it grants next (lib/policy/share-basis.ts; the workflow
//   checks it with lib/policy/override-use.ts assertOwnOverride).
// In one transaction: the row, the grants, the 110113/110127 audit rows for every
// facility it concerns, the expiry job at its end, and the e-mail to the privacy
// officers (or admins) of those facilities. After the commit, their open pages
// are told (override:started).
import { parseInput } from '../admin/errors';
import { verifyCredentials } from '../auth/verify-credentials';
import { DomainError } from '../errors';
import { grantStudyRead } from '../grants/grant-study-read';
import { enqueueJob } from '../jobs/enqueue-job';
import { wakeJobRunners } from '../jobs/job-signals';
import { authorizeOverrideDeclaration, authorizeOverridePatient, facilitiesOfOverride } from '../policy/override-access';
import { readScopeFor } from '../policy/read-scope';
import { personRecordRefs } from '../policy/share-basis';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import { EMERGENCY_OVERRIDE_STARTED, recordOverrideAudit } from './override-audit';
import { announceOverrideStarted, mailOverrideStarted } from './override-notify';
import { ZDeclareOverride } from './override-reasons';
import type { OverrideActor, OverrideContext } from './override-types';

const HOUR_MS = 3_600_000;

export interface DeclaredOverride {
  id: string;
  endsAt: Date;
  /** Grants made for the clinician (self use); 0 for a share basis */
  grants: number;
}

export async function declareOverride(context: OverrideContext, actor: OverrideActor, input: unknown, now = new Date()): Promise<DeclaredOverride> {
  const { db } = context;
  const request = parseInput(ZDeclareOverride, input);
  await authorizeOverrideDeclaration(db, actor.userId, actor.actingFacilityId);
  const actingFacilityId = actor.actingFacilityId!;
  const records = await personRecordRefs(db, request.patientRef);
  await authorizeOverridePatient(db, actingFacilityId, records);
  const patient = await db.patient.findUnique({ where: { id: request.patientRef }, select: { id: true, facilityId: true, patientId: true, name: true } });
  if (!patient) throw new DomainError('NOT_FOUND', 'patient not found', { userMessage: 'Not found.' });
  await checkPassword(context, actor, request.password);

  const endsAt = new Date(now.getTime() + request.hours * HOUR_MS);
  const copies =
    request.use === 'self'
      ? await db.study.findMany({ where: { patientRef: { in: records } }, select: { id: true, facilityId: true, studyInstanceUid: true }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] })
      : [];
  const alreadyRead = await readableStudyIds(db, await readScopeFor(db, actor.userId), copies.map((copy) => copy.id));
  const toOpen = copies.filter((copy) => !alreadyRead.has(copy.id));

  const declared = await db.$transaction(async (tx) => {
    const override = await tx.emergencyOverride.create({
      data: {
        userId: actor.userId,
        actingFacilityId,
        patientRef: patient.id,
        patientFacilityId: patient.facilityId,
        patientId: patient.patientId,
        patientName: patient.name,
        reasonCode: request.reasonCode,
        reasonText: request.reasonText,
        startedAt: now,
        endsAt,
      },
    });
    for (const copy of toOpen) {
      await grantStudyRead(
        tx,
        {
          grantee: { userId: actor.userId },
          study: copy,
          purpose: 'EMERGENCY',
          overrideId: override.id,
          grantedById: actor.userId,
          validFrom: now,
          validUntil: endsAt,
          source: { type: 'override', id: override.id },
        },
        now,
      );
    }
    const facilityIds = await facilitiesOfOverride(tx, override);
    await recordOverrideAudit(tx, actor, override, facilityIds, 'override.start', { eventTypeCode: EMERGENCY_OVERRIDE_STARTED });
    await enqueueJob(tx, { type: 'override.expire', key: override.id, payload: { overrideId: override.id }, facilityId: override.patientFacilityId, runAt: endsAt });
    const officers = await mailOverrideStarted(context, tx, override.id, facilityIds);
    return { id: override.id, facilityIds, officers };
  });
  wakeJobRunners();
  announceOverrideStarted(context, { overrideId: declared.id, endsAt }, declared.officers);
  return { id: declared.id, endsAt, grants: toOpen.length };
}

/** The same check and answers as a report signature's (lib/reports/sign-report.ts): nothing is written on a wrong password but the refused attempt. */
async function checkPassword(context: OverrideContext, actor: OverrideActor, password: string): Promise<void> {
  const check = await verifyCredentials(context, { email: actor.email, password, ip: actor.ip, door: 'override.start' });
  if (check.ok && check.user.id === actor.userId) return;
  if (!check.ok && check.reason === 'RATE_LIMITED') {
    const message = `Too many attempts. Try again in ${check.retryAfterSeconds} seconds.`;
    throw new DomainError('RATE_LIMITED', 'emergency override throttled', { userMessage: message, retryAfterSeconds: check.retryAfterSeconds, fields: { password: message } });
  }
  throw new DomainError('INVALID_INPUT', 'wrong password at emergency override', {
    userMessage: 'That is not your password: emergency access was not opened.',
    fields: { password: 'That is not your password' },
  });
}
