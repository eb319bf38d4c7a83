// Every socket.io event name and payload, in one typed map (STYLE.md): no
// event strings scattered across files. Namespaces per capability.
import type { CollabAnnotation, CollabAnnotationInput, CollabMessage, IceServer, ViewerSyncState } from '../collab/protocol';

/**
 * How every page opens its socket: WebSocket first, long-polling only where a WebSocket cannot be
 * opened. One WebSocket is one connection, so it stays on the process that accepted it when a node
 * runs several (TELEPACS_WORKERS, a balancer); long-polling is several requests and needs the
 * balancer's stickiness (README "Running several processes").
 */
export function socketClientOptions(): { withCredentials: boolean; transports: ('websocket' | 'polling')[]; tryAllTransports: boolean } {
  // tryAllTransports: a WebSocket that fails (a proxy that blocks it) falls back to long-polling
  return { withCredentials: true, transports: ['websocket', 'polling'], tryAllTransports: true };
}

export const REALTIME_NAMESPACE = '/realtime';

export const REALTIME_EVENTS = {
  INSTANCES_STORED: 'archive:instances_stored',
  REPORT_CHANGED: 'report:changed',
  REFERRAL_CHANGED: 'referral:changed',
  OVERRIDE_STARTED: 'override:started',
  ACCESS_REVOKED: 'access:revoked',
  TRANSFER_ALARM: 'transfer:alarm',
  TRANSFER_CHANGED: 'transfer:changed',
} as const;

/**
 * An emergency transfer notice rings a service (issue 17): sent after the commit to the user
 * rooms of its members (and, escalated, its on-call list and the facility's admins). No
 * patient data: the condition, the service and the ETA; the page fetches the rest.
 */
export interface TransferAlarmPayload {
  noticeId: string;
  serviceId: string;
  /** "Stroke unit, Regional hospital" */
  serviceName: string;
  /** STROKE | TRAUMA | STEMI | OTHER */
  condition: string;
  etaAt: string;
  sentAt: string;
  /** The alarm went unacknowledged past the service's escalation time */
  escalated: boolean;
}

/** A notice changed (seen, acknowledged, accepted, redirected, vitals, ETA, study, message, arrival, cancel): its parties refetch. */
export interface TransferChangedPayload {
  noticeId: string;
  status: string;
  /** What happened (TransferEvent.action, or 'message') */
  change: string;
  /** The service it now rings (changes on redirect) */
  serviceId: string;
}

/**
 * An emergency override (break-glass) was opened concerning one of the user's facilities,
 * sent after the commit to the user rooms of its privacy officers (or admins):
 * no patient data, a link to the review queue.
 */
export interface OverrideStartedPayload {
  overrideId: string;
  /** The facility whose queue it is in, and that queue's path */
  facilityId: string;
  reviewPath: string;
  endsAt: string;
}


/**
 * The user lost their read of one facility's copy of a study (a grant ended: a consent revoked, a case
 * closed, an emergency override over), sent after the commit to their user room
 * (lib/grants/close-revoked-sockets.ts): the pages showing it replace their viewer at once.
 */
export interface AccessRevokedPayload {
  facilityId: string;
  studyInstanceUid: string;
  /** Why, in words for the reader, e.g. "The patient revoked their consent" */
  reason: string;
}

/**
 * A second-opinion case changed (a transition, a message, an attachment), sent after the
 * commit to the user rooms of its parties (lib/referrals/referral-events.ts): no patient
 * data, the page refetches what its reader may see.
 */
export interface ReferralChangedPayload {
  referralId: string;
  status: string;
  priority: string;
  /** What happened: a transition's action, or 'message' */
  change: string;
}

/**
 * A report was released (PRELIMINARY) or signed (FINAL, AMENDED, ADDENDUM), sent after the commit to
 * everyone who reads it; or a co-signature was asked or withdrawn, sent to its author and co-signer only.
 */
export interface ReportChangedPayload {
  studyInstanceUid: string;
  facilityId: string;
  reportId: string;
  /** What readers now see: PRELIMINARY | FINAL | AMENDED | ADDENDUM (DRAFT: a co-signature news about a draft) */
  status: string;
  /** The version readers now see */
  version: number;
  /** A second-opinion case's report (not the study's own: the study's badge ignores it), or null */
  referralId: string | null;
}

export interface InstancesStoredPayload {
  studyInstanceUid: string;
  newInstances: number;
  facilityId: string;
  /** PN as stored, for "3 new images for MÜLLER, HANS" */
  patientName: string;
  patientId: string;
  studyDescription: string;
}

/** Server → client events of the /realtime namespace */
export interface RealtimeServerEvents {
  /** New images arrived in a study of one of the user's facilities (batched per study) */
  [REALTIME_EVENTS.INSTANCES_STORED]: (payload: InstancesStoredPayload) => void;
  /** A report the user reads changed status (their facility's, or a study granted to them); only to those who may read it */
  [REALTIME_EVENTS.REPORT_CHANGED]: (payload: ReportChangedPayload) => void;
  /** A second-opinion case the user takes part in changed */
  [REALTIME_EVENTS.REFERRAL_CHANGED]: (payload: ReferralChangedPayload) => void;
  /** Emergency access was opened concerning a facility the user reviews for */
  [REALTIME_EVENTS.OVERRIDE_STARTED]: (payload: OverrideStartedPayload) => void;
  /** The user can no longer read this study copy: its viewer goes */
  [REALTIME_EVENTS.ACCESS_REVOKED]: (payload: AccessRevokedPayload) => void;
  /** An emergency transfer notice rings a service the user belongs to */
  [REALTIME_EVENTS.TRANSFER_ALARM]: (payload: TransferAlarmPayload) => void;
  /** An emergency transfer notice the user sees changed */
  [REALTIME_EVENTS.TRANSFER_CHANGED]: (payload: TransferChangedPayload) => void;
}

export type RealtimeClientEvents = Record<string, never>;

export function facilityRoom(facilityId: string): string {
  return `facility:${facilityId}`;
}

/** Every /realtime socket of one user (joined at connect): for news decided per person, such as a report read through a grant */
export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The facility's members who may read its reports (lib/policy/report-access.ts REPORT_READER_ROLES) */
export function facilityReportsRoom(facilityId: string): string {
  return `facility-reports:${facilityId}`;
}

// ---- Teleconsultation (issue 5): one namespace, one room per session ----
// The peer-to-peer protocol (data channel messages, annotations, the viewer
// state) is lib/collab/protocol.ts; these are the socket.io events around it.

export const CONSULT_NAMESPACE = '/consult';

export const CONSULT_EVENTS = {
  /** client → server: enter a session's room (ack with the whole current state, or NOT_FOUND) */
  JOIN: 'consult:join',
  /** client → server: leave it (also on disconnect) */
  LEAVE: 'consult:leave',
  /** server → room: who is invited, who is here (with their peers), who presents */
  PRESENCE: 'consult:presence',
  /** client → server → one peer: WebRTC signaling (offer, answer, ICE candidates) */
  SIGNAL: 'consult:signal',
  /** client → server: a peer-to-peer message for the peers without a data channel; the
   *  presenter's viewport messages also update the state late joiners get */
  RELAY: 'consult:relay',
  /** server → one peer: a message relayed through the server */
  RELAYED: 'consult:relayed',
  /** client → server: create/change (upsert) or delete an annotation (ack); persisted */
  ANNOTATION_UPSERT: 'consult:annotation_upsert',
  ANNOTATION_REMOVE: 'consult:annotation_remove',
  /** server → room: an annotation as persisted, or its removal */
  ANNOTATION_CHANGED: 'consult:annotation_changed',
  ANNOTATION_REMOVED: 'consult:annotation_removed',
  /** client → server: ask to present; server → room: who asked */
  PRESENTER_REQUEST: 'consult:presenter_request',
  PRESENTER_REQUESTED: 'consult:presenter_requested',
  /** client → server: the presenter (or the host) hands the presenter role to a participant */
  PRESENTER_HANDOVER: 'consult:presenter_handover',
  /** client → server: my microphone/camera state, shown to the others in the presence */
  MEDIA_STATE: 'consult:media_state',
  /** client → server: the host ends the session; server → room: it has ended */
  END: 'consult:end',
  ENDED: 'consult:ended',
} as const;

export type ConsultEventName = (typeof CONSULT_EVENTS)[keyof typeof CONSULT_EVENTS];

/** HOST started it; PARTICIPANT was invited as a user; GUEST came by a one-time guest link */
export type ConsultRole = 'HOST' | 'PARTICIPANT' | 'GUEST';

/** One browser tab in the session: the unit of the WebRTC mesh. */
export interface ConsultPeer {
  /** The socket id: signaling addresses peers by it */
  peerId: string;
  userId: string;
  audio: boolean;
  video: boolean;
}

export interface ConsultParticipantPresence {
  userId: string;
  name: string;
  role: ConsultRole;
  /** The participant's colour in this session (annotations, laser, tile border) */
  color: string;
  online: boolean;
  /** Open tabs of this participant (usually one) */
  peers: ConsultPeer[];
}

export interface ConsultPresencePayload {
  consultationId: string;
  participants: ConsultParticipantPresence[];
  /** userId of the presenter (followers mirror their viewer); null when nobody presents */
  presenterUserId: string | null;
}

export interface ConsultJoinState {
  ok: true;
  consultationId: string;
  studyInstanceUid: string;
  title: string;
  /** This tab's peer id (its socket id) */
  peerId: string;
  userId: string;
  participants: ConsultParticipantPresence[];
  presenterUserId: string | null;
  /** The presenter's last viewer state (null before anyone presented) */
  viewer: ViewerSyncState | null;
  /** Every annotation of the session, as persisted */
  annotations: CollabAnnotation[];
  /** STUN/TURN servers for the WebRTC mesh (TURN credentials may be time-limited) */
  iceServers: IceServer[];
}

export type ConsultJoinAck = ConsultJoinState | { ok: false; error: 'NOT_FOUND' | 'BAD_REQUEST' | 'UNAVAILABLE' | 'ENDED' };

export type ConsultAck = { ok: true } | { ok: false; error: 'NOT_FOUND' | 'BAD_REQUEST' | 'FORBIDDEN' | 'CONFLICT' | 'UNAVAILABLE'; message?: string };

export type ConsultAnnotationAck = { ok: true; annotation: CollabAnnotation } | Extract<ConsultAck, { ok: false }>;

export interface ConsultServerEvents {
  [CONSULT_EVENTS.PRESENCE]: (payload: ConsultPresencePayload) => void;
  [CONSULT_EVENTS.SIGNAL]: (payload: { consultationId: string; from: string; data: unknown }) => void;
  [CONSULT_EVENTS.RELAYED]: (payload: { consultationId: string; from: string; userId: string; message: CollabMessage }) => void;
  [CONSULT_EVENTS.ANNOTATION_CHANGED]: (payload: { consultationId: string; annotation: CollabAnnotation }) => void;
  [CONSULT_EVENTS.ANNOTATION_REMOVED]: (payload: { consultationId: string; uid: string; version: number; byUserId: string }) => void;
  [CONSULT_EVENTS.PRESENTER_REQUESTED]: (payload: { consultationId: string; userId: string; name: string }) => void;
  [CONSULT_EVENTS.ENDED]: (payload: { consultationId: string; endedAt: string }) => void;
}

export interface ConsultClientEvents {
  [CONSULT_EVENTS.JOIN]: (payload: { consultationId: string }, ack: (result: ConsultJoinAck) => void) => void;
  [CONSULT_EVENTS.LEAVE]: (payload: { consultationId: string }) => void;
  [CONSULT_EVENTS.SIGNAL]: (payload: { consultationId: string; to: string; data: unknown }) => void;
  [CONSULT_EVENTS.RELAY]: (payload: { consultationId: string; to: string[]; message: CollabMessage }) => void;
  [CONSULT_EVENTS.ANNOTATION_UPSERT]: (payload: { consultationId: string; annotation: CollabAnnotationInput }, ack: (result: ConsultAnnotationAck) => void) => void;
  [CONSULT_EVENTS.ANNOTATION_REMOVE]: (payload: { consultationId: string; uid: string }, ack: (result: ConsultAck) => void) => void;
  [CONSULT_EVENTS.PRESENTER_REQUEST]: (payload: { consultationId: string }, ack: (result: ConsultAck) => void) => void;
  [CONSULT_EVENTS.PRESENTER_HANDOVER]: (payload: { consultationId: string; toUserId: string }, ack: (result: ConsultAck) => void) => void;
  [CONSULT_EVENTS.MEDIA_STATE]: (payload: { consultationId: string; audio: boolean; video: boolean }) => void;
  [CONSULT_EVENTS.END]: (payload: { consultationId: string }, ack: (result: ConsultAck) => void) => void;
}

export function consultRoom(consultationId: string): string {
  return `consult:${consultationId}`;
}
