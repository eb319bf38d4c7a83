// One notice with the caller's sides (lib/policy/transfer-access.ts): NOT_FOUND for
// anyone else, exactly as for a notice that does not exist.
import { authorizeTransfer, type TransferSide } from '../policy/transfer-access';
import { PolicyError } from '../policy/errors';
import type { Principal } from '../policy/principal';
import type { TransferContext, TransferTx } from './transfer-types';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export async function loadTransfer(context: TransferContext, principal: Principal, noticeId: string) {
  if (!ID.test(noticeId)) throw new PolicyError('NOT_FOUND', 'transfer notice not found');
  const notice = await context.db.transferNotice.findUnique({ where: { id: noticeId }, include: { studies: { orderBy: { addedAt: 'asc' } } } });
  if (!notice) throw new PolicyError('NOT_FOUND', 'transfer notice not found');
  const sides = await authorizeTransfer(context.db, principal.userId, notice);
  return { notice, sides };
}

export type LoadedTransfer = Awaited<ReturnType<typeof loadTransfer>>['notice'];

/** The audit's view of a notice */
export function auditedTransfer(notice: Pick<LoadedTransfer, 'id' | 'sendingFacilityId' | 'targetFacilityId' | 'patientId' | 'studies'>) {
  return { id: notice.id, sendingFacilityId: notice.sendingFacilityId, targetFacilityId: notice.targetFacilityId, patientId: notice.patientId, studyInstanceUid: notice.studies[0]?.studyInstanceUid ?? null };
}

export function requireSide(sides: readonly TransferSide[], side: TransferSide, what: string): void {
  if (!sides.includes(side)) throw new PolicyError('FORBIDDEN', side === 'RECEIVER' ? `only the receiving team ${what}` : `only the sending team ${what}`);
}

/**
 * Bumps the revision where the notice is still in one of `from` (and, for the receiving
 * team's actions, still with the service the caller was authorized for): false when
 * another change came first. Without the service, a member's accept racing a colleague's
 * redirect was applied to the notice after it had moved to the other service.
 */
export async function claimTransition(tx: TransferTx, noticeId: string, from: readonly string[], data: Record<string, unknown>, still: { targetServiceId?: string } = {}): Promise<boolean> {
  const claimed = await tx.transferNotice.updateMany({ where: { id: noticeId, status: { in: [...from] }, ...still }, data: { ...data, revision: { increment: 1 } } });
  return claimed.count === 1;
}
