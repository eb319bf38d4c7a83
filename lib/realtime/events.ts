// Every socket.io event name and payload, in one typed map (STYLE.md): no
// event strings scattered across files. Namespaces per capability.

export const REALTIME_NAMESPACE = '/realtime';

export const REALTIME_EVENTS = {
  INSTANCES_STORED: 'archive:instances_stored',
} as const;

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
}

export type RealtimeClientEvents = Record<string, never>;

export function facilityRoom(facilityId: string): string {
  return `facility:${facilityId}`;
}

// ---- Teleconsultation (issue 5): one namespace, one room per session ----

export const CONSULT_NAMESPACE = '/consult';

export const CONSULT_EVENTS = {
  /** client → server: enter a session's room (ack with the session or NOT_FOUND) */
  JOIN: 'consult:join',
  /** client → server: leave it (also on disconnect) */
  LEAVE: 'consult:leave',
  /** server → room: who is invited and who is here now */
  PRESENCE: 'consult:presence',
} as const;

export interface ConsultParticipantPresence {
  userId: string;
  name: string;
  role: string;
  online: boolean;
}

export interface ConsultPresencePayload {
  consultationId: string;
  participants: ConsultParticipantPresence[];
}

export type ConsultJoinAck =
  | { ok: true; consultationId: string; studyInstanceUid: string; title: string; participants: ConsultParticipantPresence[] }
  | { ok: false; error: 'NOT_FOUND' | 'BAD_REQUEST' | 'UNAVAILABLE' };

export interface ConsultServerEvents {
  [CONSULT_EVENTS.PRESENCE]: (payload: ConsultPresencePayload) => void;
}

export interface ConsultClientEvents {
  [CONSULT_EVENTS.JOIN]: (payload: { consultationId: string }, ack: (result: ConsultJoinAck) => void) => void;
  [CONSULT_EVENTS.LEAVE]: (payload: { consultationId: string }) => void;
}

export function consultRoom(consultationId: string): string {
  return `consult:${consultationId}`;
}
