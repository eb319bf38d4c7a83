import { z } from 'zod';
import type { AdminActor, AdminContext } from '../admin/context';
import { AdminError, parseInput } from '../admin/errors';
import { auditPair, authorizedPair } from './patient-pair';

const ZUnlinkPatient = z.object({
  patientId: z.string({ error: 'The record to unlink from is missing.' }).min(1).max(64),
  otherPatientId: z.string({ error: 'Choose the record to unlink.' }).min(1, 'Choose the record to unlink.').max(64),
  reason: z
    .string({ error: 'Say why these records are not the same person.' })
    .trim()
    .min(1, 'Say why these records are not the same person.')
    .max(500, 'At most 500 characters.'),
});

export type UnlinkPatientInput = z.input<typeof ZUnlinkPatient>;

/**
 * An administrator's unlink: `otherPatientId` leaves the person it shares
 * with `patientId`. The ended link is kept with who, when and why, and the
 * region-wide ID no longer links that record to that person (pacs-core/index/
 * region-patient-link.ts). Audited (admin.patient.unlink) in the same transaction.
 */
export async function unlinkPatient(context: AdminContext, actor: AdminActor, input: unknown, now = new Date()): Promise<void> {
  const { patientId, otherPatientId, reason } = parseInput(ZUnlinkPatient, input);
  const pair = await authorizedPair(context, actor, patientId, otherPatientId);
  await context.db.$transaction(async (tx) => {
    const active = await tx.patientLink.findMany({
      where: { patientRef: { in: [patientId, otherPatientId] }, unlinkedAt: null },
      select: { id: true, patientRef: true, personRef: true, method: true },
    });
    const mine = active.find((link) => link.patientRef === patientId);
    const theirs = active.find((link) => link.patientRef === otherPatientId);
    if (!mine || !theirs || mine.personRef !== theirs.personRef) throw new AdminError('CONFLICT', 'These records are not linked.');
    await tx.patientLink.update({ where: { id: theirs.id }, data: { unlinkedAt: now, unlinkedById: actor.userId, unlinkReason: reason } });
    await auditPair(tx, context, actor, 'admin.patient.unlink', pair, { personId: theirs.personRef, reason, linkMethod: theirs.method });
  });
}
