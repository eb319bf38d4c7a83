// The notices in a patient's record (issue 17): every transfer notice of the person (any
// linked record) that the reader takes part in or whose sending facility they belong to,
// newest first, with its outcome and response times; the patient page lists them.
import type { Principal } from '../policy/principal';
import { personRecordRefs } from '../policy/share-basis';
import { transferSidesOf } from '../policy/transfer-access';
import { rowsOf, type TransferRow } from './list-transfers';
import type { TransferContext } from './transfer-types';

export interface PatientTransferRow extends TransferRow {
  /** Seconds from the alarm to the acknowledgment (null: not acknowledged) */
  acknowledgedSeconds: number | null;
}

export async function transfersOfPatient(context: TransferContext, principal: Principal, patientRef: string, now = new Date()): Promise<PatientTransferRow[]> {
  const { db } = context;
  const records = await personRecordRefs(db, patientRef);
  const notices = await db.transferNotice.findMany({ where: { patientRef: { in: records } }, orderBy: { sentAt: 'desc' }, take: 50, select: { id: true, senderId: true, sendingFacilityId: true, targetServiceId: true, targetFacilityId: true, acknowledgedAt: true, alarmSince: true } });
  const visible = [];
  for (const notice of notices) if ((await transferSidesOf(db, principal.userId, notice)).length) visible.push(notice);
  if (!visible.length) return [];
  const rows = await rowsOf(context, { id: { in: visible.map((notice) => notice.id) } }, [{ sentAt: 'desc' }], now);
  const byId = new Map(visible.map((notice) => [notice.id, notice]));
  return rows.map((row) => {
    const notice = byId.get(row.id)!;
    return { ...row, acknowledgedSeconds: notice.acknowledgedAt ? Math.max(0, Math.round((notice.acknowledgedAt.getTime() - notice.alarmSince.getTime()) / 1000)) : null };
  });
}
