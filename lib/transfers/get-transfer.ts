// One notice as its page shows it (issue 17): the patient, condition, vitals (latest and
// every set), onset, transport, ETA, the studies with their images' state (here, still
// arriving, gone), the timeline with who and when, the Ask thread, the response times, and
// what the reader may do. Opening it is audited (transfer.view); the first opening by the
// receiving team is recorded as "seen" and shown to the sender at once. Between nodes
// (issue 19): whether it reached the other node, and its images arriving here.
import { noticeArrivals, type NoticeArrival } from '../federation/notices/link-notice-arrivals';
import { facilityNames, peopleNames } from '../federation/remote-names';
import { ohifViewerUrl } from '../ohif/viewer-url';
import { noticePeerOfService } from '../policy/federated-notice-access';
import type { Principal } from '../policy/principal';
import type { TransferSide } from '../policy/transfer-access';
import { auditedTransfer, loadTransfer } from './load-transfer';
import { recordTransferAudit } from './transfer-audit';
import { publishTransferChanged } from './transfer-events';
import type { TransferContext } from './transfer-types';
import { conditionWords, OPEN_TRANSFER_STATUSES, TRANSFER_ACTION_WORDS, TRANSFER_STATUS_WORDS, transportWords, type TransferStatus, type Vitals } from './transfer-words';
import { queueNoticeChange } from '../federation/notices/relay-notice-change';

/** Images received within this long are "arriving": the modality may still be sending */
export const ARRIVING_WINDOW_MS = 60_000;

export type StudyState = 'HERE' | 'ARRIVING' | 'GONE';

export interface TransferStudyView {
  studyInstanceUid: string;
  description: string;
  modalities: string;
  instances: number;
  state: StudyState;
  addedAt: Date;
  viewerPath: string | null;
  ohifPath: string | null;
}

export interface TransferView {
  id: string;
  status: TransferStatus;
  statusWords: string;
  revision: number;
  patient: { ref: string | null; patientId: string; name: string; unidentified: boolean };
  sender: { id: string; name: string; facility: { id: string; name: string } };
  target: { serviceId: string; serviceName: string; facilityId: string; facilityName: string };
  condition: string;
  conditionWords: string;
  suspectedDiagnosis: string;
  findings: string;
  vitals: Vitals;
  vitalsHistory: { at: Date; by: string; vitals: Vitals }[];
  onsetAt: Date | null;
  onsetIsLastKnownWell: boolean;
  transportMode: string;
  transportWords: string;
  etaAt: Date;
  callbackPhone: string;
  sentAt: Date;
  alarmSince: Date;
  escalatedAt: Date | null;
  firstSeen: { at: Date; by: string } | null;
  acknowledged: { at: Date; by: string } | null;
  accepted: { at: Date; by: string } | null;
  arrived: { at: Date; by: string } | null;
  cancelled: { at: Date; by: string } | null;
  /** Seconds from the alarm to the first opening, the acknowledgment and the acceptance */
  responseSeconds: { seen: number | null; acknowledged: number | null; accepted: number | null };
  studies: TransferStudyView[];
  /** A notice to a service of another node: whether it reached that node yet ("Delivered to University hospital B", or why it waits) */
  delivery: { node: string; delivered: boolean; words: string } | null;
  /** A notice from another node: its images as they arrive ("arriving 120/500") */
  arrivals: NoticeArrival[];
  timeline: { action: string; words: string; at: Date; by: string | null; details: Record<string, unknown> }[];
  messages: { id: string; author: string; mine: boolean; body: string; at: Date }[];
  sides: TransferSide[];
  may: { acknowledge: boolean; accept: boolean; redirect: boolean; arrive: boolean; cancel: boolean; update: boolean; message: boolean; consult: boolean };
}

export async function getTransfer(context: TransferContext, principal: Principal, noticeId: string, now = new Date()): Promise<TransferView> {
  const { db } = context;
  const loaded = await loadTransfer(context, principal, noticeId);
  let notice = loaded.notice;
  const { sides } = loaded;
  const receiver = sides.includes('RECEIVER');
  await db.$transaction(async (tx) => {
    if (receiver && !notice.firstSeenAt) {
      const seen = await tx.transferNotice.updateMany({ where: { id: notice.id, firstSeenAt: null }, data: { firstSeenAt: now, firstSeenById: principal.userId } });
      if (seen.count === 1) {
        await tx.transferEvent.create({ data: { noticeId: notice.id, actorId: principal.userId, action: 'seen', at: now } });
        // A notice of another node: its sender reads that it was seen (lib/federation/notices)
        await queueNoticeChange(tx, notice, 'seen', notice.targetFacilityId);
      }
    }
    await recordTransferAudit(tx, principal, auditedTransfer(notice), 'transfer.view', {});
  });
  if (receiver && !notice.firstSeenAt) {
    notice = (await loadTransfer(context, principal, noticeId)).notice;
    if (notice.firstSeenById === principal.userId) await publishTransferChanged(context, notice, 'seen');
  }

  const [events, messages, service, sendingFacility, copies] = await Promise.all([
    db.transferEvent.findMany({ where: { noticeId: notice.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }] }),
    db.transferMessage.findMany({ where: { noticeId: notice.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
    db.service.findUnique({ where: { id: notice.targetServiceId }, select: { name: true, facility: { select: { name: true } } } }),
    db.facility.findUnique({ where: { id: notice.sendingFacilityId }, select: { name: true } }),
    db.study.findMany({ where: { id: { in: notice.studies.map((study) => study.studyRef).filter((id): id is string => id !== null) } }, select: { id: true, description: true, modalities: true, numberOfInstances: true, updatedAt: true } }),
  ]);
  const [arrivals, delivered, sendingLabel] = await Promise.all([noticeArrivals(db, notice), deliveryOf(context, notice), facilityNames(db, [notice.sendingFacilityId])]);
  const people = await namesOf(context, [notice.senderId, notice.firstSeenById, notice.acknowledgedById, notice.acceptedById, notice.arrivedById, notice.cancelledById, ...events.map((event) => event.actorId), ...messages.map((message) => message.authorId)]);
  const name = (id: string | null) => (id ? (people.get(id) ?? 'a former user') : null);
  const mark = (at: Date | null, by: string | null) => (at ? { at, by: name(by) ?? '' } : null);
  const copyOf = new Map(copies.map((copy) => [copy.id, copy]));
  const status = notice.status as TransferStatus;
  const open = OPEN_TRANSFER_STATUSES.includes(status);
  const seconds = (at: Date | null) => (at ? Math.max(0, Math.round((at.getTime() - notice.alarmSince.getTime()) / 1000)) : null);
  const sender = sides.includes('SENDER');

  return {
    id: notice.id,
    status,
    statusWords: TRANSFER_STATUS_WORDS[status] ?? status,
    revision: notice.revision,
    patient: { ref: notice.patientRef, patientId: notice.patientId, name: notice.patientName, unidentified: notice.unidentified },
    sender: { id: notice.senderId, name: name(notice.senderId) ?? '', facility: { id: notice.sendingFacilityId, name: sendingLabel.get(notice.sendingFacilityId) ?? sendingFacility?.name ?? '' } },
    delivery: delivered,
    arrivals,
    target: { serviceId: notice.targetServiceId, serviceName: service?.name ?? '', facilityId: notice.targetFacilityId, facilityName: service?.facility.name ?? '' },
    condition: notice.condition,
    conditionWords: conditionWords(notice.condition),
    suspectedDiagnosis: notice.suspectedDiagnosis,
    findings: notice.findings,
    vitals: parseObject(notice.vitals) as Vitals,
    vitalsHistory: events.filter((event) => event.action === 'vitals').map((event) => ({ at: event.at, by: name(event.actorId) ?? '', vitals: parseObject(event.details) as Vitals })).reverse(),
    onsetAt: notice.onsetAt,
    onsetIsLastKnownWell: notice.onsetIsLastKnownWell,
    transportMode: notice.transportMode,
    transportWords: transportWords(notice.transportMode),
    etaAt: notice.etaAt,
    callbackPhone: notice.callbackPhone,
    sentAt: notice.sentAt,
    alarmSince: notice.alarmSince,
    escalatedAt: notice.escalatedAt,
    firstSeen: mark(notice.firstSeenAt, notice.firstSeenById),
    acknowledged: mark(notice.acknowledgedAt, notice.acknowledgedById),
    accepted: mark(notice.acceptedAt, notice.acceptedById),
    arrived: mark(notice.arrivedAt, notice.arrivedById),
    cancelled: mark(notice.cancelledAt, notice.cancelledById),
    responseSeconds: { seen: seconds(notice.firstSeenAt), acknowledged: seconds(notice.acknowledgedAt), accepted: seconds(notice.acceptedAt) },
    studies: notice.studies.map((study) => {
      const copy = study.studyRef ? copyOf.get(study.studyRef) : undefined;
      const state: StudyState = !copy ? 'GONE' : now.getTime() - copy.updatedAt.getTime() < ARRIVING_WINDOW_MS ? 'ARRIVING' : 'HERE';
      return {
        studyInstanceUid: study.studyInstanceUid,
        description: copy?.description ?? '',
        modalities: copy?.modalities.split('\\').filter(Boolean).join(', ') ?? '',
        instances: copy?.numberOfInstances ?? 0,
        state,
        addedAt: study.addedAt,
        viewerPath: copy ? `/studies/${study.studyInstanceUid}` : null,
        ohifPath: copy ? ohifViewerUrl(study.studyInstanceUid) : null,
      };
    }),
    timeline: events.map((event) => ({ action: event.action, words: TRANSFER_ACTION_WORDS[event.action] ?? event.action, at: event.at, by: name(event.actorId), details: parseObject(event.details) })),
    messages: messages.map((message) => ({ id: message.id, author: name(message.authorId) ?? '', mine: message.authorId === principal.userId, body: message.body, at: message.createdAt })),
    sides,
    may: {
      acknowledge: receiver && status === 'SENT',
      accept: receiver && (status === 'SENT' || status === 'ACKNOWLEDGED'),
      redirect: receiver && open,
      arrive: receiver && open,
      cancel: sender && open,
      update: sender && open,
      message: (sender || receiver) && status !== 'CANCELLED',
      consult: (sender || receiver) && open && notice.studies.some((study) => study.studyRef !== null),
    },
  };
}

async function namesOf(context: TransferContext, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  return peopleNames(context.db, ids);
}

/** For a notice to a service of another node: delivered there yet, or why it waits (the forwarding job's last error). */
async function deliveryOf(context: TransferContext, notice: { id: string; peerId: string | null; targetServiceId: string }): Promise<TransferView['delivery']> {
  if (notice.peerId) return null;
  const target = await noticePeerOfService(context.db, notice.targetServiceId);
  if (!target) return null;
  const event = await context.db.transferEvent.findFirst({ where: { noticeId: notice.id, action: 'forward' }, select: { at: true } });
  if (event) return { node: target.peer.name, delivered: true, words: `Delivered to ${target.peer.name}` };
  const job = await context.db.job.findUnique({ where: { type_key: { type: 'federation.forward-notice', key: notice.id } }, select: { lastError: true } });
  return { node: target.peer.name, delivered: false, words: job?.lastError ? `Not yet delivered to ${target.peer.name}: ${job.lastError} (retrying; call them)` : `Being delivered to ${target.peer.name}` };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
