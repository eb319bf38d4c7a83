import type { Principal } from '../../pacs-core/access';
import { auditQueueFor } from '../audit/audit-queue';
import { archiveAccessFor } from '../policy';
import type { AuthContext } from './auth-context';

/** The archive's view of a signed-in user: what they may read, where they store, how their accesses are audited. */
export async function principalForUser(
  context: AuthContext,
  input: { userId: string; label: string; sourceIp: string },
): Promise<Principal> {
  const { readScope, storeFacilityId } = await archiveAccessFor(context.db, input.userId);
  return {
    label: input.label,
    userId: input.userId,
    readScope,
    storeFacilityId,
    sourceIp: input.sourceIp,
    // Queued for group commit (lib/audit/audit-queue.ts): the request does not wait for the disk.
    audit: async (event) => {
      auditQueueFor(context).enqueue({ ...event, actor: input.label, actorUserId: input.userId, sourceIp: input.sourceIp });
    },
  };
}
