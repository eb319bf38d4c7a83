// Pages that show patient data leave an audit event, like the APIs do: the
// user, what they looked at, from where. Read events go through the
// group-committing queue (lib/audit/audit-queue.ts), as DICOMweb reads do.
import { headers } from 'next/headers';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import type { AuditEventInput } from '../../lib/audit/write-audit-event';
import { clientAddressFromNormalizedHeaders, type SignedInUser } from '../../lib/auth';
import { actingFacilityFor } from '../../lib/facilities/acting-facility';
import { getRuntime } from '../../lib/runtime';

// A view with no facility of its own (the worklist across facilities) is
// recorded under the facility the person acts for (lib/facilities/acting-facility.ts).
export async function auditPageView(user: SignedInUser, event: Omit<AuditEventInput, 'actor' | 'actorUserId' | 'sourceIp'>): Promise<void> {
  const client = clientAddressFromNormalizedHeaders(await headers());
  const facilityId = event.facilityId ?? actingFacilityFor(user);
  auditQueueFor(getRuntime()).enqueue({ ...event, facilityId, actor: user.email, actorUserId: user.id, sourceIp: client.ip });
}
