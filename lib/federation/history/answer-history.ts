// POST /federation/v1/history at the holding node: a paired node's person asks which studies of
// the person with this region-wide identifier are held here. Answered only for an ACTIVE peer
// (lib/policy/federated-history-access.ts), as its mirrored user, and only the studies whose
// sharing with the asker's mirrored facility has a legal basis now (person-studies.ts): no
// grant is written for a listing, and a patient's deny hides a study. Audited (110112 Query)
// for every facility here that holds records of the person — what was listed, and how many
// were withheld (outcome DENIED when all were) — or once without a facility when nothing is held.
import type { z } from 'zod';
import type { Database } from '../../../prisma/database';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { authorizePeerHistoryQuery } from '../../policy/federated-history-access';
import { mirrorUser } from '../peers/remote-mirrors';
import type { NodeActor } from '../signed-request';
import { ZHistoryQuery, ZHistoryRetrieve, modalityList, type HistoryAnswer } from './history-wire';
import { personStudyCopies } from './person-studies';

type Peer = { id: string; nodeId: string; name: string; status: string };

/** The query, checked: the same region-wide issuer as this node's (REGION_PATIENT_ID_ISSUER). */
export function parseHistoryQuery<S extends typeof ZHistoryQuery | typeof ZHistoryRetrieve>(schema: S, body: unknown, regionIssuer: string | undefined): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError('BAD_REQUEST', `history: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'malformed'}`);
  }
  if (!regionIssuer) throw new DomainError('CONFLICT', 'this node links no patients by a region-wide identifier (REGION_PATIENT_ID_ISSUER is not set)');
  if (parsed.data.issuer !== regionIssuer) throw new DomainError('CONFLICT', `this node's region-wide patient IDs are issued by ${regionIssuer}, not ${parsed.data.issuer}`);
  return parsed.data as z.infer<S>;
}

export async function answerHistoryQuery(db: Database, peer: Peer, actor: NodeActor, body: unknown, context: { regionIssuer: string | undefined; sourceIp: string }): Promise<HistoryAnswer> {
  authorizePeerHistoryQuery(peer);
  const query = parseHistoryQuery(ZHistoryQuery, body, context.regionIssuer);
  const mirror = await mirrorUser(db, peer, actor);
  const copies = await personStudyCopies(db, query, mirror.facilityId);
  const listed = copies.filter((copy) => copy.outlook.allowed);

  const base = { actor: mirror.label, actorUserId: mirror.userId, sourceIp: context.sourceIp, action: 'federation.history_query' as const, resource: `person:${query.issuer}/${query.regionPatientId}`.slice(0, 200) };
  const peerDetails = { peerNodeId: peer.nodeId, peerName: peer.name, remoteUser: mirror.label, regionPatientId: query.regionPatientId };
  const facilities = [...new Set(copies.map((copy) => copy.facilityId))];
  if (!facilities.length) await recordAudit(db, { ...base, outcome: 'SUCCESS', facilityId: null, details: { ...peerDetails, listed: 0, withheld: 0 } });
  for (const facilityId of facilities) {
    const held = copies.filter((copy) => copy.facilityId === facilityId);
    const shown = held.filter((copy) => copy.outlook.allowed);
    await recordAudit(db, {
      ...base,
      outcome: shown.length ? 'SUCCESS' : 'DENIED',
      facilityId,
      patientId: held[0].patient.patientId,
      details: {
        ...peerDetails,
        listed: shown.length,
        withheld: held.length - shown.length,
        denied: held.filter((copy) => !copy.outlook.allowed && copy.outlook.denied).length,
        studies: shown.map((copy) => copy.studyInstanceUid).slice(0, 50),
      },
    });
  }
  return {
    studies: listed.map((copy) => ({
      studyInstanceUid: copy.studyInstanceUid,
      studyDate: copy.studyDate,
      modalities: modalityList(copy.modalities),
      description: copy.description,
      numberOfInstances: copy.numberOfInstances,
      facility: copy.facility,
    })),
  };
}
