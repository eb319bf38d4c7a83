// Who is told at once when emergency access is opened: the privacy officers (or,
// where a facility has none, its admins) of every facility it concerns
// (lib/policy/override-access.ts). By e-mail inside the declaration's
// transaction (a durable job: lib/mail; the template holds no patient data, only
// the link to that facility's review queue), and on their open pages after the
// commit (override:started to their user rooms). A failed realtime send is
// logged, never an error of the declaration that committed.
import type { Namespace } from 'socket.io';
import type { JobTransaction } from '../jobs/enqueue-job';
import { enqueueMail } from '../mail/enqueue-mail';
import { privacyOfficersOf } from '../policy/override-access';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, userRoom, type RealtimeClientEvents, type RealtimeServerEvents } from '../realtime/events';
import type { Database } from '../../prisma/database';
import { reviewQueuePath, type OverrideContext } from './override-types';

/** By facility: the accounts told */
export type OverrideOfficers = Map<string, string[]>;

/** Queues one mail per facility (its queue's link) to its officers; returns them for the realtime news. */
export async function mailOverrideStarted(context: Pick<OverrideContext, 'config'>, tx: JobTransaction & Pick<Database, 'membership' | 'user'>, overrideId: string, facilityIds: readonly string[]): Promise<OverrideOfficers> {
  const officers = await privacyOfficersOf(tx, facilityIds);
  if (!context.config.mail) return officers;
  for (const [facilityId, userIds] of officers) {
    if (!userIds.length) continue;
    const users = await tx.user.findMany({ where: { id: { in: userIds }, disabled: false, guest: false }, select: { email: true } });
    await enqueueMail(tx, context.config, { to: users.map((user) => user.email), template: 'override.started', link: reviewQueuePath(facilityId), facilityId, eventId: `${overrideId}:start` });
  }
  return officers;
}

/** After the commit: each officer's open pages learn of it, with their own facility's queue. */
export function announceOverrideStarted(context: Pick<OverrideContext, 'io' | 'logger'>, override: { overrideId: string; endsAt: Date }, officers: OverrideOfficers): void {
  if (!context.io) return;
  try {
    const realtime = context.io.of(REALTIME_NAMESPACE) as unknown as Namespace<RealtimeClientEvents, RealtimeServerEvents>;
    for (const [facilityId, userIds] of officers) {
      if (!userIds.length) continue;
      realtime.to(userIds.map(userRoom)).emit(REALTIME_EVENTS.OVERRIDE_STARTED, { overrideId: override.overrideId, facilityId, reviewPath: reviewQueuePath(facilityId), endsAt: override.endsAt.toISOString() });
    }
  } catch (error) {
    context.logger.warn('override:started not sent', { overrideId: override.overrideId, error: String(error) });
  }
}
