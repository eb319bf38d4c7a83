// What the tests of several nodes (issue 19) share: reading the portal API's JSON answers,
// pairing two node processes by code through their administrators' API, putting a study into a
// node by STOW-RS, recording the patient's consent to a transfer, and reading back every
// instance a node holds of a study (its SHA-256 as that node serves it) to compare two nodes.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { NodeProcess } from './node-process';
import { until } from './poll';
import { stowBody } from './stow';

/** The JSON body of an answer that must have this status (the body's start in the message when not). */
export async function expectJson<T>(response: Response, status: number, what: string): Promise<T> {
  const text = await response.text();
  assert.equal(response.status, status, `${what}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A paired node as GET /api/admin/node/federation lists it */
export interface PeerView {
  id: string;
  nodeId: string;
  name: string;
  status: string;
  statusBy: string | null;
  fingerprint: string;
  facilities: { id: string; name: string; remoteId: string }[];
}

export interface NodeView {
  node: { nodeId: string; name: string; url: string; fingerprint: string };
  peers: PeerView[];
}

export async function peerAt(node: NodeProcess, name: string): Promise<PeerView | undefined> {
  const view = await expectJson<NodeView>(await node.api('GET', '/api/admin/node/federation'), 200, `peers at ${node.name}`);
  return view.peers.find((peer) => peer.name === name);
}

/** Pairs the two nodes by a code (the maker's) and waits until each has mirrored the other's facilities. */
export async function pairNodes(maker: NodeProcess, taker: NodeProcess): Promise<{ code: string; atMaker: PeerView; atTaker: PeerView }> {
  const { code } = await expectJson<{ code: string }>(await maker.api('POST', '/api/admin/node/federation/pairing-codes'), 201, 'pairing code');
  await expectJson(await taker.api('POST', '/api/admin/node/federation/peers', { code }), 201, 'pairing');
  const withFacilities = (at: NodeProcess, of: NodeProcess) =>
    until(`${of.name}’s facilities at ${at.name}`, async () => {
      const peer = await peerAt(at, of.name);
      return peer && peer.facilities.length > 0 ? peer : undefined;
    });
  const [atMaker, atTaker] = await Promise.all([withFacilities(maker, taker), withFacilities(taker, maker)]);
  return { code, atMaker, atTaker };
}

/** The node's home facility (its first own facility: the demo one) */
export async function homeFacilityId(node: NodeProcess): Promise<string> {
  return (await node.db.facility.findFirstOrThrow({ where: { nodePeerId: null }, orderBy: { createdAt: 'asc' }, select: { id: true } })).id;
}

/** Stores the instances into the node by STOW-RS as its administrator, 50 a request. */
export async function stowInto(node: NodeProcess, parts: Buffer[]): Promise<void> {
  for (let start = 0; start < parts.length; start += 50) {
    const { body, contentType } = stowBody(parts.slice(start, start + 50));
    const response = await fetch(`${node.url}/dicomweb/studies`, { method: 'POST', headers: { authorization: node.adminAuthorization, 'content-type': contentType, accept: 'application/dicom+json' }, body: new Uint8Array(body) });
    assert.equal(response.status, 200, `STOW into ${node.name}: ${await response.text()}`);
  }
}

/** The patient's consent (verbal, with a witness) to transfers of their images to that facility (or another purpose: a second opinion there), recorded through the API. */
export async function permitTransfer(node: NodeProcess, studyInstanceUid: string, recipientFacilityId: string, purposes: string[] = ['TRANSFER']): Promise<void> {
  const study = await node.db.study.findFirstOrThrow({ where: { studyInstanceUid, facility: { nodePeerId: null } }, select: { patientRef: true } });
  await expectJson(
    await node.api('POST', `/api/patients/${study.patientRef}/consents`, {
      decision: 'PERMIT',
      recipient: { kind: 'FACILITY', facilityId: recipientFacilityId },
      purposes,
      data: { scope: 'ALL' },
      evidence: { kind: 'VERBAL', witnessName: 'Nurse Wanda Witness', note: 'Agreed to sending the images to the other hospital.' },
    }),
    201,
    'consent',
  );
}

/** The one part of a multipart/related answer (the instance's bytes as stored). */
export function onlyPart(body: Buffer, contentType: string): Buffer {
  const boundary = /boundary="?([^";]+)"?/.exec(contentType)?.[1];
  assert.ok(boundary, `a multipart answer: ${contentType}`);
  const start = body.indexOf('\r\n\r\n') + 4;
  const end = body.lastIndexOf(`\r\n--${boundary}`);
  return body.subarray(start, end);
}

/** SOP Instance UID → SHA-256 of each instance of the study in the node's own facilities, as the node serves it (WADO-RS). */
export async function retrieveAll(node: NodeProcess, studyInstanceUid: string): Promise<Map<string, string>> {
  const instances = await node.db.instance.findMany({ where: { series: { study: { studyInstanceUid, facility: { nodePeerId: null } } } }, select: { sopInstanceUid: true, series: { select: { seriesInstanceUid: true } } } });
  const hashes = new Map<string, string>();
  for (const instance of instances) {
    const response = await fetch(`${node.url}/dicomweb/studies/${studyInstanceUid}/series/${instance.series.seriesInstanceUid}/instances/${instance.sopInstanceUid}`, {
      headers: { authorization: node.adminAuthorization, accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' },
    });
    assert.equal(response.status, 200);
    hashes.set(instance.sopInstanceUid, createHash('sha256').update(onlyPart(Buffer.from(await response.arrayBuffer()), response.headers.get('content-type') ?? '')).digest('hex'));
  }
  return hashes;
}

/** Instances whose bytes differ between the two maps (or are missing from one). */
export function differing(left: Map<string, string>, right: Map<string, string>): string[] {
  return [...new Set([...left.keys(), ...right.keys()])].filter((uid) => left.get(uid) !== right.get(uid));
}

export const MEMBER_PASSWORD = 'emergency passphrase 2026';

/** A member of the node's home facility (or of another), by the admin's invitation and its one-time link: their session cookie and id. */
export async function member(node: NodeProcess, email: string, name: string, role: 'EMERGENCY' | 'EXPERT' | 'REFERRING', facilityId?: string): Promise<{ cookie: string; userId: string }> {
  facilityId ??= await homeFacilityId(node);
  const { path } = await expectJson<{ path: string }>(await node.api('POST', `/api/admin/facilities/${facilityId}/invitations`, { email, role }), 201, 'invitation');
  const token = path.split('/').pop()!;
  const accepted = await fetch(`${node.url}/api/account-links/invitation`, { method: 'POST', headers: { 'content-type': 'application/json', origin: node.url }, body: JSON.stringify({ token, name, password: MEMBER_PASSWORD }) });
  const body = await expectJson<{ user: { id: string } }>(accepted, 200, 'invitation accepted');
  return { cookie: (accepted.headers.get('set-cookie') ?? '').split(';')[0], userId: body.user.id };
}

/** The portal API as one signed-in person (their session cookie). */
export function asUser(node: NodeProcess, cookie: string) {
  return (method: string, path: string, body?: unknown) =>
    fetch(`${node.url}${path}`, { method, headers: { cookie, origin: node.url, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
}

/** A service of the node's home facility (or of another) with these members, made through its administration API; its id. */
export async function serviceWith(node: NodeProcess, name: string, memberIds: string[], facilityId?: string): Promise<string> {
  const home = facilityId ?? (await homeFacilityId(node));
  const service = await expectJson<{ id: string }>(await node.api('POST', `/api/admin/facilities/${home}/services`, { name }), 201, `service ${name}`);
  for (const userId of memberIds) await expectJson(await node.api('POST', `/api/admin/facilities/${home}/services/${service.id}/members`, { userId }), 201, `member of ${name}`);
  return service.id;
}
