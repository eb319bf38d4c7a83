// Our C-STORE-RSP bytes must be exactly what dcmjs-dimse (and so every peer
// it was tested with) writes for the same response.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dataset, requests, responses } from './dcmjs-dimse';
import { storeResponsePdu } from './store-response';

function libraryCommandBytes(status: number, errorComment?: string, sopInstanceUid = '1.2.3.4.5.6.7.8.9.10.11.12'): Buffer {
  const request = new requests.CStoreRequest(
    new Dataset({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', SOPInstanceUID: sopInstanceUid, _vrMap: {} } as unknown as Record<string, unknown>),
  );
  request.setMessageId(4242);
  const response = responses.CStoreResponse.fromRequest(request);
  response.setStatus(status);
  if (errorComment) response.setErrorComment(errorComment);
  return (response.getCommandDataset() as unknown as { getDenaturalizedCommandDataset(): Buffer }).getDenaturalizedCommandDataset();
}

function ourPdu(status: number, errorComment?: string, sopInstanceUid = '1.2.3.4.5.6.7.8.9.10.11.12'): Buffer {
  return storeResponsePdu({
    presentationContextId: 41,
    affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    affectedSopInstanceUid: sopInstanceUid,
    messageIdBeingRespondedTo: 4242,
    status,
    errorComment,
  });
}

describe('C-STORE-RSP bytes', () => {
  it('hold the command set dcmjs-dimse writes, for success, an even-length UID and a failure with a comment', () => {
    for (const [status, comment, uid] of [
      [0x0000, undefined, '1.2.3.4.5.6.7.8.9.10.11.12'],
      [0x0000, undefined, '1.2.3.4.5.6.7.8.9.10.11.1'],
      [0xc000, 'missing Study Instance UID (0020,000D)', '1.2.3'],
      [0xa700, 'odd', '1.2.3'],
    ] as const) {
      const pdu = ourPdu(status, comment, uid);
      assert.ok(pdu.subarray(12).equals(libraryCommandBytes(status, comment, uid)), `status 0x${status.toString(16)} ${comment ?? ''}`);
    }
  });

  it('is one P-DATA-TF PDU with one command PDV, last fragment, on the given presentation context', () => {
    const pdu = ourPdu(0);
    assert.equal(pdu[0], 0x04);
    assert.equal(pdu.readUInt32BE(2), pdu.length - 6);
    assert.equal(pdu.readUInt32BE(6), pdu.length - 10);
    assert.equal(pdu[10], 41);
    assert.equal(pdu[11], 0x03);
  });
});
