// The expert node's half of a second-opinion case from a paired node (issue 19): POST
// /federation/v1/referrals, signed by that node and acting for the requesting doctor. The case
// is made here for the real service (authorizePeerReferral), requested by the doctor's
// mirrored user for their mirrored facility (remote-mirrors.ts), known by the requesting
// node's id (Referral.peerId + remoteId: the same case twice is one), and lands in the
// service's inbox at once — the same due time, escalation, e-mail and pages as a local case.
// Its studies are those of this node's facility of the service, as they arrive
// (link-referral-arrivals.ts). A case the service had declined comes back when the requester
// sends it here again (a redirect to this node): it is requested anew.
import type { Runtime } from '../../runtime';
import { DomainError } from '../../errors';
import { Prisma } from '../../../prisma/database';
import { authorizePeerReferral } from '../../policy/federated-referral-access';
import { wakeJobRunners } from '../../jobs/job-signals';
import { addressReferral } from '../../referrals/address-referral';
import { findReferralRow } from '../../referrals/load-referral';
import { recordReferralAudit } from '../../referrals/referral-audit';
import { publishReferralChanged } from '../../referrals/referral-events';
import { notifyReferral } from '../../referrals/referral-notify';
import { closeRevokedSockets } from '../../grants';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';
import { linkReferralArrivals } from './link-referral-arrivals';
import { ZForwardedReferral } from './referral-words';

type Peer = { id: string; nodeId: string; name: string };
type ReceiveContext = Pick<Runtime, 'db'> & Partial<Pick<Runtime, 'io' | 'logger' | 'config'>>;

export async function receiveReferral(context: ReceiveContext, peer: Peer, actor: NodeActor, body: unknown, sourceIp: string, now = new Date()): Promise<{ id: string; created: boolean }> {
  const { db } = context;
  const parsed = ZForwardedReferral.safeParse(body);
  if (!parsed.success) throw new DomainError('BAD_REQUEST', `case: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'malformed'}`);
  const input = parsed.data;
  const service = await authorizePeerReferral(db, input.serviceId);
  const requester = await mirrorUser(db, peer, actor);
  const principal = { userId: requester.userId, email: requester.label, ip: sourceIp };
  const known = await db.referral.findUnique({ where: { peerId_remoteId: { peerId: peer.id, remoteId: input.referralId } }, select: { id: true, status: true } });
  if (known && known.status !== 'DECLINED') return { id: known.id, created: false };

  const addressee = { targetUserId: null, targetServiceId: service.id, targetFacilityId: service.facilityId };
  const primary = input.studies.find((study) => study.primary) ?? input.studies[0];
  let outcome: { id: string; revoked: Awaited<ReturnType<typeof addressReferral>>['revoked'] };
  try {
    outcome = await db.$transaction(async (tx) => {
      let id = known?.id;
      let fromStatus: string | null = known?.status ?? null;
      if (!id) {
        const copies = await tx.study.findMany({ where: { facilityId: service.facilityId, studyInstanceUid: { in: input.studies.map((study) => study.studyInstanceUid) } }, select: { id: true, studyInstanceUid: true } });
        const copyOf = new Map(copies.map((copy) => [copy.studyInstanceUid, copy.id]));
        const created = await tx.referral.create({
          data: {
            facilityId: requester.facilityId,
            patientRef: null,
            patientId: input.patient.patientId,
            patientName: input.patient.name,
            requesterId: requester.userId,
            status: 'DRAFT',
            priority: input.priority,
            question: input.question,
            history: input.history,
            ...addressee,
            peerId: peer.id,
            remoteId: input.referralId,
            createdAt: now,
            studies: {
              create: input.studies.map((study, position) => ({ studyRef: copyOf.get(study.studyInstanceUid) ?? null, studyFacilityId: service.facilityId, studyInstanceUid: study.studyInstanceUid, primary: study === primary, position })),
            },
            events: { create: { actorId: requester.userId, action: 'create', fromStatus: null, toStatus: 'DRAFT', at: input.requestedAt, details: JSON.stringify({ node: peer.name }) } },
          },
          select: { id: true },
        });
        id = created.id;
        fromStatus = 'DRAFT';
      }
      const row = (await findReferralRow(tx, id))!;
      const addressed = await addressReferral(tx, row, addressee, requester.userId, { keepDueAt: false, reason: 'case sent' }, now);
      const moved = await tx.referral.updateMany({ where: { id, revision: row.revision, status: row.status }, data: { ...addressee, status: 'REQUESTED', ownerId: null, requestedAt: now, dueAt: addressed.dueAt, escalatedAt: null, revision: { increment: 1 } } });
      if (moved.count !== 1) throw new DomainError('CONFLICT', 'the case changed meanwhile');
      const audited = { id, facilityId: service.facilityId, patientId: input.patient.patientId, studyInstanceUid: primary.studyInstanceUid };
      const details = { from: fromStatus, to: 'REQUESTED', priority: input.priority, addressee: { serviceId: service.id, facilityId: service.facilityId }, studies: input.studies.map((study) => study.studyInstanceUid), dueAt: addressed.dueAt.toISOString(), peerName: peer.name, remoteReferralId: input.referralId };
      await tx.referralEvent.create({ data: { referralId: id, actorId: requester.userId, action: known ? 'redirect' : 'send', fromStatus, toStatus: 'REQUESTED', at: now, details: JSON.stringify({ addressee: details.addressee, dueAt: details.dueAt, node: peer.name }) } });
      await recordReferralAudit(tx, principal, audited, known ? 'referral.redirect' : 'referral.send', details);
      await notifyReferral(context, tx, { id, facilityId: requester.facilityId, ...addressee, requesterId: requester.userId, ownerId: null }, 'new', `${id}:${row.revision + 1}`);
      return { id, revoked: addressed.revoked };
    });
  } catch (error) {
    // The same case delivered twice at once (a retry racing a slow answer)
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      const first = await db.referral.findUnique({ where: { peerId_remoteId: { peerId: peer.id, remoteId: input.referralId } }, select: { id: true } });
      if (first) return { id: first.id, created: false };
    }
    throw error;
  }
  wakeJobRunners();
  await closeRevokedSockets({ db, io: context.io }, outcome.revoked);
  await publishReferralChanged(context, { referralId: outcome.id, status: 'REQUESTED', priority: input.priority, change: 'send' }, [{ status: 'REQUESTED', requesterId: requester.userId, ownerId: null, ...addressee }]);
  await linkReferralArrivals(context, peer.id, input.referralId).catch((error: unknown) => context.logger?.warn('case studies not linked', { referralId: outcome.id, error: String(error) }));
  return { id: outcome.id, created: !known };
}
