import { z } from 'zod';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { auditPair, authorizedPair } from './patient-pair';

const ZLinkPatients = z.object({
  patientId: z.string({ error: 'The record to link from is missing.' }).min(1).max(64),
  otherPatientId: z.string({ error: 'Choose the record to link.' }).min(1, 'Choose the record to link.').max(64),
});

export type LinkPatientsInput = z.input<typeof ZLinkPatients>;

/**
 * An administrator's manual link: the two records are one person. A record
 * linked to nobody joins the other's person (or both form a new one); two
 * records of two different persons are refused (CONFLICT: unlink one first,
 * so that no administrator merges records they cannot see). Audited
 * (admin.patient.link) in the same transaction.
 */
export async function linkPatients(context: AdminContext, actor: AdminActor, input: unknown, now = new Date()): Promise<{ personId: string }> {
  const { patientId, otherPatientId } = parseInput(ZLinkPatients, input);
  const pair = await authorizedPair(context, actor, patientId, otherPatientId);
  return context.db.$transaction(async (tx) => {
    const active = await tx.patientLink.findMany({ where: { patientRef: { in: [patientId, otherPatientId] }, unlinkedAt: null }, select: { patientRef: true, personRef: true } });
    const persons = new Map(active.map((link) => [link.patientRef, link.personRef]));
    const [mine, theirs] = [persons.get(patientId), persons.get(otherPatientId)];
    if (mine && theirs) {
      throw new AdminError(
        'CONFLICT',
        mine === theirs ? 'These records are already linked.' : 'Both records are already linked to other records: unlink one of them first.',
      );
    }
    const personId = mine ?? theirs ?? (await tx.person.create({ data: {}, select: { id: true } })).id;
    for (const patientRef of [patientId, otherPatientId].filter((id) => !persons.has(id))) {
      const made = { method: 'MANUAL', linkedById: actor.userId, linkedAt: now, unlinkedAt: null, unlinkedById: null, unlinkReason: '' };
      await tx.patientLink.upsert({
        where: { patientRef_personRef: { patientRef, personRef: personId } },
        create: { patientRef, personRef: personId, ...made },
        update: made,
      });
    }
    await auditPair(tx, context, actor, 'admin.patient.link', pair, { personId });
    return { personId };
  });
}
