// Sets where the facility's signed reports go (one destination per facility:
// an upsert), audited admin.hl7_destination.update with what changed. Reports
// signed from then on are queued to it; ORUs already queued are sent to the
// destination as it is when their job runs (lib/hl7/report/send-report-job.ts).
import { administrationAudit } from '../../admin/administration-audit';
import type { AdminActor, AdminContext } from '../../admin/context';
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { authorizeAdminArea } from '../../policy/admin-area';
import { hl7DestinationView, ZHl7DestinationRequest, type Hl7DestinationView } from './hl7-destination.types';

export async function setHl7Destination(context: Pick<AdminContext, 'db'>, actor: AdminActor, facilityId: string, input: unknown): Promise<{ destination: Hl7DestinationView }> {
  const { db } = context;
  await authorizeAdminArea(db, actor.userId, facilityId);
  const wanted = parseInput(ZHl7DestinationRequest, input);
  return db.$transaction(async (tx) => {
    const before = await tx.hl7Destination.findUnique({ where: { facilityId } });
    const saved = await tx.hl7Destination.upsert({ where: { facilityId }, create: { ...wanted, facilityId }, update: wanted });
    const change = <T>(from: T | undefined, to: T) => (from === to ? undefined : { from: from === undefined ? null : String(from), to: String(to) });
    await recordAudit(
      tx,
      administrationAudit(actor, {
        action: 'admin.hl7_destination.update',
        facilityId,
        resource: `facilities/${facilityId}/hl7-destination`,
        details: {
          host: change(before?.host, saved.host),
          port: change(before?.port, saved.port),
          receivingApplication: change(before?.receivingApplication, saved.receivingApplication),
          receivingFacility: change(before?.receivingFacility, saved.receivingFacility),
          enabled: change(before?.enabled, saved.enabled),
        },
      }),
    );
    return { destination: hl7DestinationView(saved) };
  });
}
