// The order of a session's participants, and the colour each one draws in.
// One order everywhere (presence, annotations, the lobby): the host first,
// then everyone in the order they were invited (guests when their link was
// used). A colour is a participant's index in that order, so it never changes
// during a session and a participant keeps it across reconnects.
import { participantColor } from '../collab/protocol';
import type { ConsultRole } from '../realtime/events';

export interface InvitedParticipant {
  /** The ConsultationParticipant row's id: breaks ties between rows invited in the same millisecond */
  id: string;
  userId: string;
  role: string;
  invitedAt: Date;
}

export function inInvitationOrder<Row extends InvitedParticipant>(rows: readonly Row[]): Row[] {
  return [...rows].sort(
    (a, b) =>
      Number(b.role === 'HOST') - Number(a.role === 'HOST') ||
      a.invitedAt.getTime() - b.invitedAt.getTime() ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** userId → colour, for participants in any order. */
export function participantColors(rows: readonly InvitedParticipant[]): Map<string, string> {
  return new Map(inInvitationOrder(rows).map((row, index) => [row.userId, participantColor(index)]));
}

export function consultRole(role: string): ConsultRole {
  // Rows are written only by our own code; an unknown value is treated as the least privileged role.
  return role === 'HOST' || role === 'PARTICIPANT' ? role : 'GUEST';
}
