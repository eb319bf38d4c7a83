// POST /federation/v1/history/retrieve at the holding node: the paired node's person asks for
// one study of the federated history to be sent to their facility. Checked again here as for
// the listing (ACTIVE peer, the person by the region-wide identifier, a copy in one of this
// node's facilities) and then sent by the one path of every transfer
// (transfers/create-out-transfer.ts): the grant to the asker's mirrored facility rests on the
// legal basis share-basis.ts finds now (409 CONSENT_REQUIRED, nothing leaves), audited
// (federation.send) and carried by the durable job (federation.send-study) to that facility.
// The requester is the mirrored user; a second request while one is under way answers the
// same transfer (no duplicate).
import type { Database } from '../../../prisma/database';
import { DomainError } from '../../errors';
import { authorizePeerHistoryQuery } from '../../policy/federated-history-access';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';
import { createOutTransfer } from '../transfers/create-out-transfer';
import { parseHistoryQuery } from './answer-history';
import { ZHistoryRetrieve, type RetrieveAnswer } from './history-wire';
import { personStudyCopies } from './person-studies';

type Peer = { id: string; nodeId: string; name: string; status: string };

export const HISTORY_SOURCE = 'history';

export async function retrieveForPeer(db: Database, peer: Peer, actor: NodeActor, body: unknown, context: { regionIssuer: string | undefined; sourceIp: string }): Promise<RetrieveAnswer> {
  authorizePeerHistoryQuery(peer);
  const query = parseHistoryQuery(ZHistoryRetrieve, body, context.regionIssuer);
  const mirror = await mirrorUser(db, peer, actor);
  const copies = await personStudyCopies(db, query, mirror.facilityId, { studyInstanceUid: query.studyInstanceUid });
  if (!copies.length) throw new DomainError('NOT_FOUND', `no study ${query.studyInstanceUid} of this person here`);
  // The copy that may be shared, else the first: its share is refused with the reason (CONSENT_REQUIRED)
  const copy = copies.find((candidate) => candidate.outlook.allowed) ?? copies[0];
  const target = await db.facility.findUniqueOrThrow({ where: { id: mirror.facilityId }, select: { id: true, name: true } });

  const underWay = await db.federatedTransfer.findFirst({
    where: { direction: 'OUT', peerId: peer.id, studyRef: copy.id, remoteFacilityId: target.id, status: { in: ['QUEUED', 'SENDING'] } },
    select: { transferId: true, total: true },
  });
  if (underWay) return { transferId: underWay.transferId, total: underWay.total, facility: copy.facility.name };

  const total = await db.instance.count({ where: { series: { studyRef: copy.id } } });
  if (!total) throw new DomainError('CONFLICT', 'this study has no images to send');
  const id = await createOutTransfer(db, {
    requestedBy: { userId: mirror.userId, label: mirror.label, ip: context.sourceIp, remoteUser: mirror.label },
    study: { id: copy.id, facilityId: copy.facilityId, studyInstanceUid: copy.studyInstanceUid, patientId: copy.patient.patientId },
    target,
    peer,
    seriesUids: [],
    total,
    priority: 0,
    source: { type: HISTORY_SOURCE, id: `${query.issuer}/${query.regionPatientId}`.slice(0, 120) },
  });
  const row = await db.federatedTransfer.findUniqueOrThrow({ where: { id }, select: { transferId: true } });
  return { transferId: row.transferId, total, facility: copy.facility.name };
}
