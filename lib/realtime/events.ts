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
