// Tells the open pages of a case's parties that it changed, AFTER the commit:
// the inbox, "My referrals", the header's counts and the case page refetch
// what their reader may see. Sent to the user rooms (user:<id>) of everyone
// who took part before or after the change (lib/policy/referral-access.ts
// referralAudience), so a case that left someone's inbox leaves their screen
// too. No patient data in the event. A failure to send is logged, never an
// error of the operation that committed.
import type { Namespace } from 'socket.io';
import { referralAudience, type ReferralParties } from '../policy/referral-access';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, userRoom, type RealtimeClientEvents, type RealtimeServerEvents, type ReferralChangedPayload } from '../realtime/events';
import type { ReferralContext } from './referral-types';

type Parties = Pick<ReferralParties, 'status' | 'requesterId' | 'ownerId' | 'targetUserId' | 'targetServiceId'>;

export async function publishReferralChanged(context: ReferralContext, payload: ReferralChangedPayload, parties: readonly Parties[], extraUsers: readonly string[] = []): Promise<void> {
  if (!context.io) return;
  try {
    const users = new Set(extraUsers);
    for (const party of parties) for (const userId of await referralAudience(context.db, party)) users.add(userId);
    if (!users.size) return;
    const realtime = context.io.of(REALTIME_NAMESPACE) as unknown as Namespace<RealtimeClientEvents, RealtimeServerEvents>;
    realtime.to([...users].map(userRoom)).emit(REALTIME_EVENTS.REFERRAL_CHANGED, payload);
  } catch (error) {
    context.logger?.warn('referral:changed not sent', { referralId: payload.referralId, error: String(error) });
  }
}
