// What needs consent, per facility (the data's owner): the consent purposes for
// which a read grant to someone outside the facility needs the patient's permit.
// Set by the facility's admin; the default (schema) is every purpose. Takes a
// context ({db}: a Runtime fits), since routes and pages hold no database handle
// (test/integration/architecture-rules.test.ts).
import { z } from 'zod';
import { parseInput } from '../admin/errors';
import { authorizeAdminArea } from '../policy';
import { recordAudit } from '../audit/record-audit';
import type { Database } from '../../prisma/database';
import { CONSENT_PURPOSES, parseList, type ConsentPurpose } from './consent-types';
import { ZConsentPurpose } from './consent-schemas';

export function consentRequiredFor(column: string): ConsentPurpose[] {
  return parseList(column).filter((purpose): purpose is ConsentPurpose => (CONSENT_PURPOSES as readonly string[]).includes(purpose));
}

export async function getConsentRules(context: { db: Database }, actor: { userId: string }, facilityId: string): Promise<{ requiredFor: ConsentPurpose[] }> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const facility = await db.facility.findUniqueOrThrow({ where: { id: facilityId }, select: { consentRequiredFor: true } });
  return { requiredFor: consentRequiredFor(facility.consentRequiredFor) };
}

const ZRules = z.object({ requiredFor: z.array(ZConsentPurpose).max(CONSENT_PURPOSES.length) }).strict();

export async function setConsentRules(context: { db: Database }, actor: { userId: string; email: string; ip: string }, facilityId: string, input: unknown): Promise<{ requiredFor: ConsentPurpose[] }> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const { requiredFor } = parseInput(ZRules, input);
  const unique = CONSENT_PURPOSES.filter((purpose) => requiredFor.includes(purpose));
  await db.$transaction(async (tx) => {
    await tx.facility.update({ where: { id: facilityId }, data: { consentRequiredFor: JSON.stringify(unique) } });
    await recordAudit(tx, {
      actor: actor.email,
      actorUserId: actor.userId,
      action: 'consent.rules',
      outcome: 'SUCCESS',
      facilityId,
      sourceIp: actor.ip,
      resource: `facilities/${facilityId}/consent-rules`,
      details: { requiredFor: unique },
    });
  });
  return { requiredFor: unique };
}
