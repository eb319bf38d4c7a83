// The receiving node's half of a notice from a paired node (issue 19): POST
// /federation/v1/notices, signed by that node and acting for the sending clinician. The
// notice is made here for the real service (authorizePeerNotice), sent by the clinician's
// mirrored user for their mirrored facility (remote-mirrors.ts), known by the sending node's
// id (TransferNotice.peerId + remoteId: the same notice twice is one), and rings the
// service's members at once — the same alarm, escalation job and board as a local notice.
// Images sent for it (FederatedTransfer IN rows, source 'transfer-notice') join it as they
// are announced, whichever of the two comes first (link-notice-arrivals.ts).
import type { Runtime } from '../../runtime';
import { DomainError } from '../../errors';
import { Prisma } from '../../../prisma/database';
import { authorizePeerNotice } from '../../policy/federated-notice-access';
import { scheduleTransferEscalation } from '../../transfers/escalate-transfer-job';
import { recordTransferAudit } from '../../transfers/transfer-audit';
import { publishTransferChanged, ringTransferAlarm } from '../../transfers/transfer-events';
import { wakeJobRunners } from '../../jobs/job-signals';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';
import { linkNoticeArrivals } from './link-notice-arrivals';
import { ZForwardedNotice } from './notice-words';

type Peer = { id: string; nodeId: string; name: string };
type NoticeContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger'>>;

export async function receiveNotice(context: NoticeContext, peer: Peer, actor: NodeActor, body: unknown, sourceIp: string, now = new Date()): Promise<{ id: string; created: boolean }> {
  const { db } = context;
  const parsed = ZForwardedNotice.safeParse(body);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', `notice: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  const input = parsed.data;
  const service = await authorizePeerNotice(db, input.serviceId);
  const known = await db.transferNotice.findUnique({ where: { peerId_remoteId: { peerId: peer.id, remoteId: input.noticeId } }, select: { id: true } });
  if (known) return { id: known.id, created: false };
  const sender = await mirrorUser(db, peer, actor);
  const principal = { userId: sender.userId, email: sender.label, ip: sourceIp };

  let created: { id: string; sentAt: Date };
  try {
    created = await db.$transaction(async (tx) => {
      const notice = await tx.transferNotice.create({
        data: {
          senderId: sender.userId,
          sendingFacilityId: sender.facilityId,
          patientRef: null,
          patientId: input.patient.patientId,
          patientName: input.patient.name,
          unidentified: input.patient.unidentified,
          targetServiceId: service.id,
          targetFacilityId: service.facilityId,
          condition: input.condition,
          suspectedDiagnosis: input.suspectedDiagnosis,
          findings: input.findings,
          vitals: JSON.stringify(input.vitals),
          onsetAt: input.onsetAt,
          onsetIsLastKnownWell: input.onsetIsLastKnownWell,
          transportMode: input.transportMode,
          etaAt: input.etaAt,
          callbackPhone: input.callbackPhone,
          status: 'SENT',
          sentAt: input.sentAt,
          // The alarm starts when it rings here (the escalation counts from it)
          alarmSince: now,
          clientKey: `node:${input.noticeId}`,
          peerId: peer.id,
          remoteId: input.noticeId,
          events: {
            create: [
              { actorId: sender.userId, action: 'send', at: input.sentAt, details: JSON.stringify({ serviceId: service.id, etaAt: input.etaAt.toISOString(), studies: input.studies.length, node: peer.name }) },
              ...(Object.keys(input.vitals).length ? [{ actorId: sender.userId, action: 'vitals', at: input.sentAt, details: JSON.stringify(input.vitals) }] : []),
            ],
          },
        },
        select: { id: true, sentAt: true },
      });
      await recordTransferAudit(tx, principal, { id: notice.id, sendingFacilityId: sender.facilityId, targetFacilityId: service.facilityId, patientId: input.patient.patientId, studyInstanceUid: input.studies[0] ?? null }, 'transfer.send', {
        to: 'SENT', serviceId: service.id, condition: input.condition, etaAt: input.etaAt.toISOString(), studies: input.studies, vitals: Object.keys(input.vitals).length > 0, peerName: peer.name, remoteNoticeId: input.noticeId,
      });
      await scheduleTransferEscalation(tx, { id: notice.id, targetServiceId: service.id, targetFacilityId: service.facilityId, alarmSince: now });
      return notice;
    });
  } catch (error) {
    // The same notice delivered twice at once (a retry racing a slow answer)
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const first = await db.transferNotice.findUnique({ where: { peerId_remoteId: { peerId: peer.id, remoteId: input.noticeId } }, select: { id: true } });
      if (first) return { id: first.id, created: false };
    }
    throw error;
  }
  wakeJobRunners();
  await ringTransferAlarm(context, { id: created.id, targetServiceId: service.id, condition: input.condition, etaAt: input.etaAt, sentAt: created.sentAt });
  await publishTransferChanged(context, { id: created.id, senderId: sender.userId, sendingFacilityId: sender.facilityId, targetServiceId: service.id, targetFacilityId: service.facilityId, status: 'SENT' }, 'send');
  await linkNoticeArrivals(context, peer.id, input.noticeId).catch((error: unknown) => context.logger?.warn('notice images not linked', { noticeId: created.id, error: String(error) }));
  return { id: created.id, created: true };
}
