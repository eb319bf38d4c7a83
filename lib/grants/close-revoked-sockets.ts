// The post-commit half of revoking (revoke-grants.ts): the open sockets that
// read through a revoked grant are closed, so a grantee who is in a live
// teleconsultation stops receiving its images and annotations at once, not
// when they next reconnect. Each affected person is asked again whether they
// still read that copy (a member of its facility, another grant): if so,
// nothing of theirs is closed. One hook for every workflow; it uses the
// realtime disconnect (lib/realtime/disconnect-user.ts), no second mechanism.
import type { Server as SocketIOServer } from 'socket.io';
import { readableStudyIds } from '../../pacs-core/index/readable-studies';
import type { Database } from '../../prisma/database';
import { readScopeFor } from '../policy/read-scope';
import { disconnectUserFromStudy } from '../realtime/disconnect-user';
import type { RevokedGrant } from './revoke-grants';
import { granteesOf } from './study-grantees';

export interface SocketContext {
  db: Database;
  /** Absent in processes without socket.io (tests of lib alone, scripts) */
  io: SocketIOServer | undefined;
}

/** Closes the sockets that depended on the revoked grants; returns how many were closed. Call after the commit. */
export async function closeRevokedSockets(context: SocketContext, revoked: readonly RevokedGrant[]): Promise<number> {
  if (!context.io || !revoked.length) return 0;
  let closed = 0;
  for (const grant of revoked) {
    for (const userId of await granteesOf(context.db, grant)) {
      const stillReads = grant.studyRef !== null && (await readableStudyIds(context.db, await readScopeFor(context.db, userId), [grant.studyRef])).size > 0;
      if (stillReads) continue;
      closed += await disconnectUserFromStudy(context.io, userId, { facilityId: grant.studyFacilityId, studyInstanceUid: grant.studyInstanceUid });
    }
  }
  return closed;
}
