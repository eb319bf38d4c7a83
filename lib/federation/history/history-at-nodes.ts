// At the asking node: the patient page's "At other nodes" (issue 19). The record's person, by
// the region-wide identifier (REGION_PATIENT_ID_ISSUER), is asked for at every ACTIVE paired node
// at once (POST /federation/v1/history, signed, acting for the viewer "of" the record's
// facility), each with a short timeout: a node down is one line ("not reachable"), never a slow
// or broken page. Each study is labelled by its facility and node, and says whether a copy is
// here already (in the record's facility) or on its way (the IN transfer's progress).
// Who may ask: lib/policy/federated-history-access.ts. Audited here (federation.history_ask,
// 110112) for the record's facility; each answering node audits its own answer.
import type { Database } from '../../../prisma/database';
import { recordAudit } from '../../audit/record-audit';
import { authorizeHistoryAsk, type HistoryRecord } from '../../policy/federated-history-access';
import type { Runtime } from '../../runtime';
import { federationSelf } from '../federation-self';
import { FederationCallError, callPeerJson } from '../node-client';
import type { NodeActor } from '../signed-request';
import type { HistoryAnswer, RemoteStudy } from './history-wire';

/** How long the page waits for a node before it says "not reachable" */
export const HISTORY_TIMEOUT_MS = 3_000;

export interface Viewer {
  userId: string;
  email: string;
  ip: string;
}

export interface StudyAtNode extends RemoteStudy {
  /** A copy is in the record's facility now */
  here: boolean;
  /** Its arrival from that node, when one was asked for: "12/20 from … (node)" */
  arrival: { status: string; done: number; total: number; progress: string } | null;
}

export interface NodeHistory {
  peerId: string;
  node: string;
  /** OK: answered; UNREACHABLE: no answer in time; REFUSED: answered with an error (message says which) */
  status: 'OK' | 'UNREACHABLE' | 'REFUSED';
  message: string | null;
  studies: StudyAtNode[];
}

export interface HistoryAtNodes {
  regionPatientId: string;
  issuer: string;
  nodes: NodeHistory[];
}

/** The region-wide identifier of the record's person, or null (no issuer set, or none carried). */
export async function regionIdOfRecord(db: Pick<Database, 'patientLink'>, patientRef: string, issuer: string | undefined): Promise<string | null> {
  if (!issuer) return null;
  const link = await db.patientLink.findFirst({ where: { patientRef, unlinkedAt: null, person: { regionIssuer: issuer, regionPatientId: { not: null } } }, select: { person: { select: { regionPatientId: true } } } });
  return link?.person.regionPatientId ?? null;
}

/** Whether the page shows the section: a paired node to ask, the viewer may ask, the record carries the region-wide ID (no node is called). */
export async function mayAskOtherNodes(runtime: Pick<Runtime, 'db' | 'config'>, userId: string, patientRef: string): Promise<boolean> {
  if (!runtime.config.regionPatientIdIssuer) return false;
  if (!(await runtime.db.nodePeer.count({ where: { status: 'ACTIVE' } }))) return false;
  try {
    await authorizeHistoryAsk(runtime.db, userId, patientRef);
  } catch {
    return false;
  }
  return (await regionIdOfRecord(runtime.db, patientRef, runtime.config.regionPatientIdIssuer)) !== null;
}

/** The asserted person: the viewer acting for the record's facility. */
export async function actorFor(db: Pick<Database, 'user'>, viewer: Viewer, record: HistoryRecord): Promise<NodeActor> {
  const user = await db.user.findUniqueOrThrow({ where: { id: viewer.userId }, select: { id: true, name: true, email: true } });
  return { id: user.id, name: user.name, email: user.email, facility: record.facility };
}

export async function historyAtOtherNodes(runtime: Pick<Runtime, 'db' | 'config' | 'shared'>, viewer: Viewer, patientRef: string): Promise<HistoryAtNodes> {
  const { db, config } = runtime;
  const record = await authorizeHistoryAsk(db, viewer.userId, patientRef);
  const issuer = config.regionPatientIdIssuer;
  const regionPatientId = await regionIdOfRecord(db, record.id, issuer);
  if (!issuer || !regionPatientId) return { regionPatientId: regionPatientId ?? '', issuer: issuer ?? '', nodes: [] };
  const actor = await actorFor(db, viewer, record);
  const { identity } = federationSelf(config, runtime.shared);
  const peers = await db.nodePeer.findMany({ where: { status: 'ACTIVE' }, select: { id: true, nodeId: true, name: true, url: true }, orderBy: { name: 'asc' } });

  const nodes = await Promise.all(
    peers.map(async (peer): Promise<NodeHistory> => {
      try {
        const answer = await callPeerJson<HistoryAnswer>(identity, peer, { method: 'POST', path: '/history', json: { regionPatientId, issuer }, actor, timeoutMs: HISTORY_TIMEOUT_MS });
        const studies = cleanStudies(answer);
        return { peerId: peer.id, node: peer.name, status: 'OK', message: null, studies: await withArrivals(db, record.facility.id, peer.id, studies) };
      } catch (error) {
        const reachable = error instanceof FederationCallError && error.status !== undefined;
        return { peerId: peer.id, node: peer.name, status: reachable ? 'REFUSED' : 'UNREACHABLE', message: reachable ? error.message : `${peer.name}: not reachable`, studies: [] };
      }
    }),
  );

  await recordAudit(db, {
    actor: viewer.email,
    actorUserId: viewer.userId,
    sourceIp: viewer.ip,
    outcome: 'SUCCESS',
    action: 'federation.history_ask',
    facilityId: record.facility.id,
    patientId: record.patientId,
    resource: `patients/${record.id}`,
    details: {
      regionPatientId,
      nodes: nodes.length,
      answered: nodes.filter((node) => node.status === 'OK').length,
      listed: nodes.reduce((sum, node) => sum + node.studies.length, 0),
      unreachable: nodes.filter((node) => node.status !== 'OK').map((node) => node.node),
    },
  });
  return { regionPatientId, issuer, nodes };
}

/** Each study's copy here and its arrival from that node (the newest IN transfer into the record's facility). */
async function withArrivals(db: Database, facilityId: string, peerId: string, studies: RemoteStudy[]): Promise<StudyAtNode[]> {
  const uids = studies.map((study) => String(study.studyInstanceUid).slice(0, 64));
  const [held, arrivals] = await Promise.all([
    db.study.findMany({ where: { facilityId, studyInstanceUid: { in: uids } }, select: { studyInstanceUid: true } }),
    db.federatedTransfer.findMany({ where: { direction: 'IN', peerId, localFacilityId: facilityId, studyInstanceUid: { in: uids } }, select: { studyInstanceUid: true, status: true, done: true, total: true }, orderBy: { createdAt: 'desc' } }),
  ]);
  return studies.map((study) => {
    const arrival = arrivals.find((row) => row.studyInstanceUid === study.studyInstanceUid);
    return {
      studyInstanceUid: study.studyInstanceUid,
      studyDate: study.studyDate,
      modalities: study.modalities,
      description: study.description,
      numberOfInstances: study.numberOfInstances,
      facility: study.facility,
      here: held.some((row) => row.studyInstanceUid === study.studyInstanceUid) && (!arrival || arrival.status === 'DONE'),
      arrival: arrival ? { status: arrival.status, done: arrival.done, total: arrival.total, progress: `${arrival.done}/${arrival.total} from ${study.facility.name}` } : null,
    };
  });
}

/** The peer's answer, as data of the expected shape only (it is another node's word). */
function cleanStudies(answer: HistoryAnswer | null): RemoteStudy[] {
  const rows: unknown[] = Array.isArray(answer?.studies) ? answer.studies : [];
  return rows.slice(0, 500).flatMap((row) => {
    const study = row as Partial<RemoteStudy> | null;
    if (!study || typeof study.studyInstanceUid !== 'string' || !/^[0-9.]{1,64}$/.test(study.studyInstanceUid)) return [];
    return [{
      studyInstanceUid: study.studyInstanceUid,
      studyDate: typeof study.studyDate === 'string' ? study.studyDate.slice(0, 8) : '',
      modalities: Array.isArray(study.modalities) ? study.modalities.filter((item): item is string => typeof item === 'string').slice(0, 20).map((item) => item.slice(0, 16)) : [],
      description: typeof study.description === 'string' ? study.description.slice(0, 200) : '',
      numberOfInstances: Number.isFinite(study.numberOfInstances) ? Number(study.numberOfInstances) : 0,
      facility: { id: String(study.facility?.id ?? '').slice(0, 64), name: String(study.facility?.name ?? 'another facility').slice(0, 120) },
    }];
  });
}
