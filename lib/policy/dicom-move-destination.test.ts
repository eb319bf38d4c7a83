// Where a C-MOVE may send images: only to a peer of the requesting
// association's own facility; another facility's AE title is as unknown as
// one nobody registered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KnownDicomPeer } from '../dicom-peers/find-dicom-peer';
import { dicomMoveDestination } from './dicom-move-destination';

const peer = (aet: string, facilityId: string): KnownDicomPeer => ({
  aet,
  host: '192.0.2.10',
  port: 104,
  anyAddress: false,
  tls: false,
  requireClientCertificate: false,
  facilityId,
  source: 'database',
});
const registered = new Map([
  ['NORTH_WS', peer('NORTH_WS', 'north')],
  ['SOUTH_WS', peer('SOUTH_WS', 'south')],
]);
const findPeer = async (aet: string) => registered.get(aet) ?? null;

describe('dicomMoveDestination', () => {
  it("sends to a peer of the requester's own facility", async () => {
    assert.equal((await dicomMoveDestination(findPeer, 'NORTH_WS', { facilityId: 'north' }))?.aet, 'NORTH_WS');
  });

  it("treats another facility's peer like an unknown AE title", async () => {
    assert.equal(await dicomMoveDestination(findPeer, 'SOUTH_WS', { facilityId: 'north' }), null);
    assert.equal(await dicomMoveDestination(findPeer, 'NOBODY', { facilityId: 'north' }), null);
  });
});
