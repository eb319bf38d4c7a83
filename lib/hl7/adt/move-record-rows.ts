// The portal's rows that belong to a patient record, moved to the record it was
// merged into, inside the merge's transaction: imaging orders, consents,
// second-opinion cases, transfer notices, emergency overrides, read grants,
// and the links to the region-wide person the survivor does not have yet.
import type { Database } from '../../../prisma/database';

type Transaction = Parameters<Parameters<Database['$transaction']>[0]>[0];

export async function moveRecordRows(tx: Transaction, fromRef: string, toRef: string): Promise<{ orders: number }> {
  const orders = await tx.imagingOrder.updateMany({ where: { patientRef: fromRef }, data: { patientRef: toRef } });
  await tx.consent.updateMany({ where: { patientRef: fromRef }, data: { patientRef: toRef } });
  await tx.referral.updateMany({ where: { patientRef: fromRef }, data: { patientRef: toRef } });
  await tx.transferNotice.updateMany({ where: { patientRef: fromRef }, data: { patientRef: toRef } });
  await tx.emergencyOverride.updateMany({ where: { patientRef: fromRef }, data: { patientRef: toRef } });
  await tx.accessGrant.updateMany({ where: { patientRef: fromRef }, data: { patientRef: toRef } });
  const survivorPersons = (await tx.patientLink.findMany({ where: { patientRef: toRef }, select: { personRef: true } })).map((link) => link.personRef);
  await tx.patientLink.updateMany({ where: { patientRef: fromRef, personRef: { notIn: survivorPersons } }, data: { patientRef: toRef } });
  return { orders: orders.count };
}
