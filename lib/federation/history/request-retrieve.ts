// At the asking node: the Retrieve button of "At other nodes". Asks the holding node (signed,
// acting for the viewer of the record's facility) to send the study to that facility
// (POST /federation/v1/history/retrieve); the holding node checks the legal basis again and
// sends it by its transfer job. What the asker then sees is the arrival: the IN transfer row
// the holding node's job announces (its progress), then the study in the record's facility.
// Audited here (federation.history_retrieve) for the record's facility.
import { z } from 'zod';
import { parseInput } from '../../admin/errors';
import { recordAudit } from '../../audit/record-audit';
import { DomainError } from '../../errors';
import { authorizeHistoryAsk } from '../../policy/federated-history-access';
import type { Runtime } from '../../runtime';
import { federationSelf } from '../federation-self';
import { FederationCallError, callPeerJson } from '../node-client';
import type { RetrieveAnswer } from './history-wire';
import { actorFor, regionIdOfRecord, type Viewer } from './history-at-nodes';

export const RETRIEVE_TIMEOUT_MS = 15_000;

const ZRetrieve = z
  .object({
    peerId: z.string({ error: 'Choose the node that holds the study.' }).trim().min(1, 'Choose the node that holds the study.').max(64),
    studyInstanceUid: z.string({ error: 'Expected a DICOM UID' }).trim().regex(/^[0-9.]{1,64}$/, 'Expected a DICOM UID'),
  })
  .strict();

export interface RetrieveRequested {
  node: string;
  facility: string;
  studyInstanceUid: string;
  total: number;
}

export async function retrieveFromNode(runtime: Pick<Runtime, 'db' | 'config' | 'shared'>, viewer: Viewer, patientRef: string, input: unknown): Promise<RetrieveRequested> {
  const { db, config } = runtime;
  const record = await authorizeHistoryAsk(db, viewer.userId, patientRef);
  const request = parseInput(ZRetrieve, input);
  const issuer = config.regionPatientIdIssuer;
  const regionPatientId = await regionIdOfRecord(db, record.id, issuer);
  if (!issuer || !regionPatientId) throw new DomainError('CONFLICT', 'the record carries no region-wide patient ID', { userMessage: 'This record carries no region-wide patient ID: other nodes cannot be asked for it.' });
  const peer = await db.nodePeer.findFirst({ where: { id: request.peerId, status: 'ACTIVE' }, select: { id: true, nodeId: true, name: true, url: true } });
  if (!peer) throw new DomainError('INVALID_INPUT', `no active peer ${request.peerId}`, { userMessage: 'Some fields need attention.', fields: { peerId: 'Choose a paired node.' } });
  const { identity } = federationSelf(config, runtime.shared);
  let answer: RetrieveAnswer;
  try {
    answer = await callPeerJson<RetrieveAnswer>(identity, peer, {
      method: 'POST',
      path: '/history/retrieve',
      json: { regionPatientId, issuer, studyInstanceUid: request.studyInstanceUid },
      actor: await actorFor(db, viewer, record),
      timeoutMs: RETRIEVE_TIMEOUT_MS,
    });
  } catch (error) {
    if (!(error instanceof FederationCallError)) throw error;
    const words = error.code === 'CONSENT_REQUIRED'
      ? `${peer.name} may not send this study to ${record.facility.name}: the patient's consent there does not cover it.`
      : error.status === undefined ? `${peer.name} is not reachable now: try again later.` : `${peer.name} did not send the study: ${error.message}`;
    throw new DomainError(error.code === 'CONSENT_REQUIRED' ? 'CONFLICT' : 'PEER_FAILED', error.message, { userMessage: words });
  }
  await recordAudit(db, {
    actor: viewer.email,
    actorUserId: viewer.userId,
    sourceIp: viewer.ip,
    outcome: 'SUCCESS',
    action: 'federation.history_retrieve',
    facilityId: record.facility.id,
    patientId: record.patientId,
    studyUid: request.studyInstanceUid,
    resource: `patients/${record.id}`,
    details: { peerNodeId: peer.nodeId, peerName: peer.name, regionPatientId, transferId: String(answer.transferId).slice(0, 64), total: Number(answer.total) || 0 },
  });
  return { node: peer.name, facility: String(answer.facility ?? '').slice(0, 120), studyInstanceUid: request.studyInstanceUid, total: Number(answer.total) || 0 };
}
