// Where a C-MOVE may send images (the DIMSE door's other access rule, beside
// dicom-association.ts): only to a peer of the requesting association's own
// facility. Another facility's registered AE title is "unknown" to it:
// sharing across facilities goes through consent and referral, not a move.
import type { AssociationGrant } from '../../pacs-core/dimse/types';
import type { KnownDicomPeer } from '../dicom-peers/find-dicom-peer';

export async function dicomMoveDestination(
  findPeer: (aet: string) => Promise<KnownDicomPeer | null>,
  aet: string,
  requester: Pick<AssociationGrant, 'facilityId'>,
): Promise<KnownDicomPeer | null> {
  const destination = await findPeer(aet);
  return destination && destination.facilityId === requester.facilityId ? destination : null;
}
