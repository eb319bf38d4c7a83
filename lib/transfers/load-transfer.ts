// One notice with the caller's sides (lib/policy/transfer-access.ts): NOT_FOUND for
// anyone else, exactly as for a notice that does not exist.
import { authorizeTransfer, receivingServicesOf, transferSidesOf, TRANSFER_SENDER_ROLES, type TransferSide } from '../policy/transfer-access';
import type { Role } from '../policy/roles';
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

/**
 * Whether the user takes part in the notice: then a NOT_FOUND they got is about something else
 * (a study the sending facility does not hold, a service not theirs), not a refused attempt at
 * the notice to report to the sending facility (the routes' glue asks).
 */
export async function takesPartInTransfer(context: TransferContext, userId: string, noticeId: string): Promise<boolean> {
  if (!ID.test(noticeId)) return false;
  const notice = await context.db.transferNotice.findUnique({ where: { id: noticeId }, select: { senderId: true, sendingFacilityId: true, targetServiceId: true, targetFacilityId: true } }).catch(() => null);
  return notice ? (await transferSidesOf(context.db, userId, notice)).length > 0 : false;
}

/** What the header offers: the alarm and the board to who receives for a service, the board (Sent) to who may send. */
export async function transferNavFor(context: TransferContext, user: { id: string; memberships: readonly { role: string }[] }): Promise<{ receives: boolean; sends: boolean }> {
  const receives = (await receivingServicesOf(context.db, user.id)).length > 0;
  const sends = user.memberships.some((membership) => TRANSFER_SENDER_ROLES.includes(membership.role as Role));
  return { receives, sends };
}
