// The post-commit half of revoking (revoke-grants.ts): the open sockets that
// read through a revoked grant are closed, so a grantee who is in a live
// teleconsultation stops receiving its images and annotations at once, not
// when they next reconnect. Each affected person is asked again whether they
// still read that copy (a member of its facility, another grant): if so,
// nothing of theirs is closed. One hook for every workflow; it uses the
// realtime disconnect (lib/realtime/disconnect-user.ts), no second mechanism.
// The same people are told on /realtime (access:revoked to their user room), so
// a page showing that study's images (the report page's viewer, the study
// page) replaces them at once instead of waiting for its next request's 404.
import type { Namespace, Server as SocketIOServer } from 'socket.io';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import type { Database } from '../../prisma/database';
import { readScopeFor } from '../policy/read-scope';
import { disconnectUserFromStudy } from '../realtime/disconnect-user';
import { REALTIME_EVENTS, REALTIME_NAMESPACE, userRoom, type RealtimeClientEvents, type RealtimeServerEvents } from '../realtime/events';
import type { RevokedGrant } from './revoke-grants';
import { granteesOf } from './study-grantees';

export interface SocketContext {
  db: Database;
  /** Absent in processes without socket.io (tests of lib alone, scripts) */
  io: SocketIOServer | undefined;
}

/**
 * Closes the sockets that depended on the revoked grants and tells their pages; returns how many
 * sockets were closed. Call after the commit. `reason`: what the reader is shown; null tells no
 * page (a teleconsultation that ended: its room shows who ended it and when).
 */
export async function closeRevokedSockets(context: SocketContext, revoked: readonly RevokedGrant[], reason: string | null = 'The share it rested on has ended'): Promise<number> {
  if (!context.io || !revoked.length) return 0;
  const realtime = context.io.of(REALTIME_NAMESPACE) as unknown as Namespace<RealtimeClientEvents, RealtimeServerEvents>;
  const told = new Set<string>();
  let closed = 0;
  for (const grant of revoked) {
    for (const userId of await granteesOf(context.db, grant)) {
      const stillReads = grant.studyRef !== null && (await readableStudyIds(context.db, await readScopeFor(context.db, userId), [grant.studyRef])).size > 0;
      if (stillReads) continue;
      closed += await disconnectUserFromStudy(context.io, userId, { facilityId: grant.studyFacilityId, studyInstanceUid: grant.studyInstanceUid });
      const key = `${userId} ${grant.studyFacilityId} ${grant.studyInstanceUid}`;
      if (reason === null || told.has(key)) continue;
      told.add(key);
      realtime.to(userRoom(userId)).emit(REALTIME_EVENTS.ACCESS_REVOKED, { facilityId: grant.studyFacilityId, studyInstanceUid: grant.studyInstanceUid, reason });
    }
  }
  return closed;
}
