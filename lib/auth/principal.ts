import type { AccessEvent, ArchiveAuditAction, Principal } from '../../pacs-core/access';
import type { AuditDetails } from '../audit/actions';
import { auditQueueFor } from '../audit/audit-queue';
import { recordRefusedAttempt } from '../audit/record-refused-attempt';
import { archiveAccessFor, type OverrideRead } from '../policy/archive-access';
import type { AuthContext } from './auth-context';

/** The archive's view of a signed-in user: what they may read, where they store, how their accesses are audited. */
export async function principalForUser(
  context: AuthContext,
  input: { userId: string; label: string; sourceIp: string; actingFacilityId?: string | null },
): Promise<Principal> {
  const { readScope, storeFacilityId, overrideReads } = await archiveAccessFor(context.db, input.userId, input.actingFacilityId ?? null);
  return {
    label: input.label,
    userId: input.userId,
    readScope,
    storeFacilityId,
    sourceIp: input.sourceIp,
    // Queued for group commit (lib/audit/audit-queue.ts): the request does not wait for the disk.
    audit: async (event) => {
      const actor = { actor: input.label, actorUserId: input.userId, sourceIp: input.sourceIp };
      // A refused read of a study: its owner sees the attempt too (answered 404 all the same)
      if (event.outcome === 'DENIED' && event.studyUid && !event.facilityId) {
        const { studyUid, ...rest } = event;
        return recordRefusedAttempt(context, { ...rest, ...actor, outcome: 'DENIED', target: { kind: 'study', studyInstanceUid: studyUid } });
      }
      // The archive's details are typed by pacs-core (Record<string, unknown>); its actions by ArchiveAuditAction, which the map lists.
      const details = { ...(event.details as AuditDetails<ArchiveAuditAction> | undefined), ...underOverride(event, overrideReads) };
      auditQueueFor(context).enqueue({ ...event, details, ...actor });
    },
  };
}

/**
 * Issue 16: an access through an emergency override's grant names the override:
 * overrideId for a study copy read through one, overrideIds for a search run while
 * overrides widened the scope (its results may include their studies). Known
 * from the scope's own statement (archive-access.ts): no query per event.
 */
function underOverride(event: AccessEvent, reads: readonly OverrideRead[]): { overrideId?: string; overrideIds?: string[] } {
  if (!reads.length || event.outcome !== 'SUCCESS' || event.action === 'dicomweb.stow' || event.action === 'dimse.c-store') return {};
  if (event.studyUid) {
    const read = reads.find((candidate) => candidate.studyInstanceUid === event.studyUid && (!event.facilityId || candidate.facilityId === event.facilityId));
    return read ? { overrideId: read.overrideId } : {};
  }
  return { overrideIds: [...new Set(reads.map((read) => read.overrideId))] };
}
