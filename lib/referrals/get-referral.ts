// A case as one of its parties sees it (the case page, GET /api/referrals/{id}):
// the patient, the studies, the question, who asked whom, who has it, the due
// time, the timeline of every transition, the thread with its attachments,
// the teleconsultations started from it, the report, and what the caller may
// do now. Opening a case is reading patient data: audited as referral.view
// through the journalled read queue. NOT_FOUND for anyone else.
import { runningOverridesById, type RunningOverrideSummary } from '../emergency-override/override-marks';
import { auditQueueFor } from '../audit/audit-queue';
import { ATTACHMENT_VIEW_SELECT, referralAttachmentView, type ReferralAttachmentView } from './attachments/attachment-files';
import type { Principal } from '../policy/principal';
import type { ReferralRole } from '../policy/referral-access';
import type { Runtime } from '../runtime';
import { loadReferral, type ReferralRow } from './load-referral';
import { auditedReferral, referralAuditEvent } from './referral-audit';
import { isUnread } from './referral-reads';
import { facilityNames, peopleNames } from '../federation/remote-names';
import { referralArrivals } from '../federation/referrals/link-referral-arrivals';
import { referralPeerOf } from '../policy/federated-referral-access';
import { allowedActions, COMPLETABLE_STATUSES, OPEN_STATUSES, STATUS_WORDS, type ReferralAction, type ReferralStatus } from './referral-states';

export type ReferralViewContext = Pick<Runtime, 'db' | 'shared' | 'logger'> & Partial<Pick<Runtime, 'config'>>;

export interface PersonRef {
  id: string;
  name: string;
  email: string;
}

export interface ReferralView {
  id: string;
  /** The running emergency override the case's shares rest on (no consent): the page shows it in red */
  emergencyOverrides: RunningOverrideSummary[];
  status: string;
  statusWords: string;
  priority: string;
  question: string;
  history: string;
  revision: number;
  createdAt: Date;
  requestedAt: Date | null;
  dueAt: Date | null;
  overdue: boolean;
  escalatedAt: Date | null;
  completedAt: Date | null;
  closedAt: Date | null;
  patient: { patientId: string; name: string; sex: string; birthDate: string };
  /** remote: a person of another node, whose name already says their facility and node */
  requester: PersonRef & { facilityName: string; remote: boolean };
  addressee: { kind: 'user' | 'service'; id: string; name: string; facilityId: string; facilityName: string };
  owner: PersonRef | null;
  studies: { studyInstanceUid: string; facilityId: string; facilityName: string; studyDate: string; description: string; modalities: string[]; primary: boolean; available: boolean; arriving: string | null }[];
  /** A case shared with another node (issue 19): which, and whether it has reached it (sent from here) */
  node: { name: string; direction: 'SENT' | 'RECEIVED'; delivered: boolean } | null;
  roles: ReferralRole[];
  actions: ReferralAction[];
  /** The owner may write (and signing completes the case) */
  mayReport: boolean;
  report: { id: string; status: string } | null;
  events: { at: Date; action: string; fromStatus: string | null; toStatus: string; reason: string; actor: { name: string } | null }[];
  messages: { id: string; kind: string; body: string; createdAt: Date; author: PersonRef; attachments: AttachmentRef[] }[];
  attachments: AttachmentRef[];
  unread: number;
  consultations: { id: string; title: string; createdAt: Date; endedAt: Date | null; participant: boolean }[];
}

/** An attachment as the case shows it (attachments/attachment-files.ts) */
export type AttachmentRef = ReferralAttachmentView;

export async function getReferral(context: ReferralViewContext, principal: Principal, referralId: string, now = new Date()): Promise<ReferralView> {
  const { referral, roles } = await loadReferral(context.db, principal, referralId);
  const view = await referralView(context, principal, referral, roles, now);
  auditQueueFor(context).enqueue(referralAuditEvent(principal, auditedReferral(referral), 'referral.view', {}));
  return view;
}

async function referralView(context: ReferralViewContext, principal: Principal, referral: ReferralRow, roles: ReferralRole[], now: Date): Promise<ReferralView> {
  const { db } = context;
  const [details, patient, studyRows, events, messages, attachments, read, consultations, report] = await Promise.all([
    db.referral.findUniqueOrThrow({
      where: { id: referral.id },
      select: {
        requester: { select: { id: true, name: true, email: true } },
        owner: { select: { id: true, name: true, email: true } },
        targetUser: { select: { id: true, name: true } },
        targetService: { select: { id: true, name: true } },
      },
    }),
    // A case received from another node has no record here: its study's copy says who the patient is
    referral.patientRef
      ? db.patient.findUnique({ where: { id: referral.patientRef }, select: { sex: true, birthDate: true } })
      : referral.studies[0]?.studyRef
        ? db.study.findUnique({ where: { id: referral.studies[0].studyRef }, select: { patient: { select: { sex: true, birthDate: true } } } }).then((row) => row?.patient ?? null)
        : null,
    db.study.findMany({ where: { id: { in: referral.studies.map((study) => study.studyRef).filter((id): id is string => id !== null) } }, select: { id: true, studyDate: true, description: true, modalities: true } }),
    db.referralEvent.findMany({ where: { referralId: referral.id }, orderBy: [{ at: 'asc' }, { id: 'asc' }], select: { at: true, action: true, fromStatus: true, toStatus: true, reason: true, actorId: true } }),
    db.referralMessage.findMany({ where: { referralId: referral.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], select: { id: true, kind: true, body: true, createdAt: true, author: { select: { id: true, name: true, email: true } } } }),
    db.referralAttachment.findMany({ where: { referralId: referral.id }, orderBy: { createdAt: 'asc' }, select: { ...ATTACHMENT_VIEW_SELECT, messageId: true } }),
    db.referralRead.findUnique({ where: { referralId_userId: { referralId: referral.id, userId: principal.userId } }, select: { readAt: true } }),
    db.consultation.findMany({ where: { referralId: referral.id }, orderBy: { createdAt: 'asc' }, select: { id: true, title: true, createdAt: true, endedAt: true, participants: { where: { userId: principal.userId }, select: { id: true } } } }),
    db.report.findUnique({ where: { referralId: referral.id }, select: { id: true, status: true, authorId: true } }),
  ]);
  // People and facilities of another node are named with it: "Dr X (Facility at Node B)" (issue 19)
  const [facilities, people, node, arrivals] = await Promise.all([
    facilityNames(db, [referral.facilityId, referral.targetFacilityId, ...referral.studies.map((study) => study.studyFacilityId)]),
    peopleNames(db, [details.requester.id, details.owner?.id ?? null, ...events.map((event) => event.actorId), ...messages.map((message) => message.author.id)]),
    sharedNode(db, referral, events),
    referralArrivals(db, referral),
  ]);
  const named = <T extends PersonRef>(person: T): T => ({ ...person, name: people.get(person.id) ?? person.name });
  const studies = new Map(studyRows.map((study) => [study.id, study]));
  const attachmentRef = referralAttachmentView;
  const addressee = details.targetService
    ? { kind: 'service' as const, id: details.targetService.id, name: details.targetService.name }
    : { kind: 'user' as const, id: details.targetUser?.id ?? '', name: details.targetUser?.name ?? '' };
  const readAt = read?.readAt ?? null;
  return {
    id: referral.id,
    emergencyOverrides: await runningOverridesById(context, [referral.overrideId], now),
    status: referral.status,
    statusWords: STATUS_WORDS[referral.status as ReferralStatus] ?? referral.status,
    priority: referral.priority,
    question: referral.question,
    history: referral.history,
    revision: referral.revision,
    createdAt: referral.createdAt,
    requestedAt: referral.requestedAt,
    dueAt: referral.dueAt,
    overdue: isOverdue(referral, now),
    escalatedAt: referral.escalatedAt,
    completedAt: referral.completedAt,
    closedAt: referral.closedAt,
    patient: { patientId: referral.patientId, name: referral.patientName, sex: patient?.sex ?? '', birthDate: patient?.birthDate ?? '' },
    requester: { ...named(details.requester), facilityName: facilities.get(referral.facilityId) ?? '', remote: referral.peerId !== null },
    addressee: { ...addressee, facilityId: referral.targetFacilityId, facilityName: facilities.get(referral.targetFacilityId) ?? '' },
    owner: details.owner ? named(details.owner) : null,
    node,
    studies: referral.studies.map((study) => {
      const row = study.studyRef ? studies.get(study.studyRef) : undefined;
      return {
        studyInstanceUid: study.studyInstanceUid,
        facilityId: study.studyFacilityId,
        facilityName: facilities.get(study.studyFacilityId) ?? '',
        studyDate: row?.studyDate ?? '',
        description: row?.description ?? '',
        modalities: row ? row.modalities.split('\\').filter(Boolean) : [],
        primary: study.primary,
        available: row !== undefined,
        arriving: row ? null : (arrivals.find((arrival) => arrival.studyInstanceUid === study.studyInstanceUid)?.words ?? (node?.direction === 'RECEIVED' ? 'not yet sent' : null)),
      };
    }),
    roles,
    actions: allowedActions(referral.status, roles),
    mayReport: roles.includes('OWNER') && COMPLETABLE_STATUSES.includes(referral.status as ReferralStatus),
    // A draft is its author's alone: the others see the report once signed
    report: report && (report.status !== 'DRAFT' || report.authorId === principal.userId) ? { id: report.id, status: report.status } : null,
    events: events.map((event) => ({ at: event.at, action: event.action, fromStatus: event.fromStatus, toStatus: event.toStatus, reason: event.reason, actor: event.actorId ? { name: people.get(event.actorId) ?? '' } : null })),
    messages: messages.map((message) => ({ ...message, author: named(message.author), attachments: attachments.filter((attachment) => attachment.messageId === message.id).map(attachmentRef) })),
    attachments: attachments.filter((attachment) => attachment.messageId === null).map(attachmentRef),
    unread: messages.filter((message) => isUnread({ authorId: message.author.id, createdAt: message.createdAt }, principal.userId, readAt)).length,
    consultations: consultations.map((consultation) => ({ id: consultation.id, title: consultation.title, createdAt: consultation.createdAt, endedAt: consultation.endedAt, participant: consultation.participants.length > 0 })),
  };
}

/** The node a case is shared with: received from it, or addressed to a service of it (then: delivered yet?). */
async function sharedNode(db: ReferralViewContext['db'], referral: ReferralRow, events: { action: string }[]): Promise<ReferralView['node']> {
  if (referral.peerId) {
    const peer = await db.nodePeer.findUnique({ where: { id: referral.peerId }, select: { name: true } });
    return { name: peer?.name ?? 'another node', direction: 'RECEIVED', delivered: true };
  }
  const target = await referralPeerOf(db, referral);
  return target ? { name: target.peer.name, direction: 'SENT', delivered: events.some((event) => event.action === 'deliver') } : null;
}

/** Past its due time and still waiting for the expert side */
export function isOverdue(referral: { status: string; dueAt: Date | null }, now: Date): boolean {
  return referral.dueAt !== null && referral.dueAt < now && OPEN_STATUSES.includes(referral.status as ReferralStatus);
}
