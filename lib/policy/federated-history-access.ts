// Federated patient history (issue 19): who may ask the paired nodes for a patient's studies,
// and whom a node answers. Decided here once for lib/federation/history:
// - at the asking node, an enabled member of the record's facility (any role; not a guest, not
//   a person of another node acting here) may list the studies held elsewhere and ask for one to
//   be sent to that facility; everyone else: NOT_FOUND (the record's existence is not told);
// - at the holding node, only an ACTIVE peer is answered, for a person it asserts (who becomes
//   the mirrored user of its mirrored facility): what it lists and sends is decided per study
//   by lib/policy/share-basis.ts for that mirrored facility, never by the asker's word.
import type { Database } from '../../prisma/database';
import { DomainError } from '../errors';
import { PolicyError } from './errors';

type PolicyDb = Pick<Database, 'patient' | 'membership'>;

export interface HistoryRecord {
  id: string;
  patientId: string;
  facility: { id: string; name: string; code: string };
}

/** The record (a patient of this node) whose history the user asks other nodes about; NOT_FOUND unless they are a member of its facility. */
export async function authorizeHistoryAsk(db: PolicyDb, userId: string, patientRef: string): Promise<HistoryRecord> {
  const record = await db.patient.findFirst({
    where: { id: patientRef.slice(0, 64), facility: { nodePeerId: null, disabledAt: null } },
    select: { id: true, patientId: true, facility: { select: { id: true, name: true, code: true } } },
  });
  if (!record) throw new PolicyError('NOT_FOUND', `no patient ${patientRef}`);
  const member = await db.membership.findFirst({
    where: { userId, facilityId: record.facility.id, user: { disabled: false, guest: false, nodePeerId: null } },
    select: { id: true },
  });
  if (!member) throw new PolicyError('NOT_FOUND', 'not a member of the record’s facility');
  return record;
}

/** A node answers history queries and retrievals only for a peer whose pairing is ACTIVE. */
export function authorizePeerHistoryQuery(peer: { name: string; status: string }): void {
  if (peer.status !== 'ACTIVE') throw new DomainError('CONFLICT', `the pairing with ${peer.name} is ${peer.status}`, { userMessage: `The pairing with ${peer.name} is not active.` });
}
