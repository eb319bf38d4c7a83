// Pages that show patient data leave an audit event, like the APIs do: the
// user, what they looked at, from where. Read events go through the
// group-committing queue (lib/audit/audit-queue.ts), as DICOMweb reads do.
import { headers } from 'next/headers';
import { auditQueueFor } from '../../lib/audit/audit-queue';
import type { AuditAction } from '../../lib/audit/actions';
import type { AuditEvent } from '../../lib/audit/record-audit';
import { clientAddressFromNormalizedHeaders, type SignedInUser } from '../../lib/auth';
import { actingFacilityFor } from '../../lib/facilities/acting-facility';
import { getRuntime } from '../../lib/runtime';

// A view with no facility of its own (the worklist across facilities) is
// recorded under the facility the person acts for (lib/facilities/acting-facility.ts).
export async function auditPageView<A extends AuditAction>(user: SignedInUser, event: Omit<AuditEvent<A>, 'actor' | 'actorUserId' | 'sourceIp'>): Promise<void> {
  const client = clientAddressFromNormalizedHeaders(await headers());
  const facilityId = event.facilityId ?? actingFacilityFor(user);
  auditQueueFor(getRuntime()).enqueue<A>({ ...event, facilityId, actor: user.email, actorUserId: user.id, sourceIp: client.ip } as AuditEvent<A>);
}
