import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptsGzip, parseAccept, partPreferences } from './accept';

describe('Accept negotiation (PS3.18 8.7)', () => {
  it('orders media ranges by q-value, then by the client order', () => {
    const ranges = parseAccept('image/png;q=0.5, multipart/related; type="application/dicom"; transfer-syntax=*, image/jpeg');
    assert.deepEqual(
      ranges.map((r) => r.mediaType),
      ['multipart/related', 'image/jpeg', 'image/png'],
    );
    assert.equal(ranges[0].parameters.type, 'application/dicom');
    assert.equal(ranges[0].parameters['transfer-syntax'], '*');
  });

  it('reads unquoted type parameters as OHIF sends them, and drops q=0', () => {
    const ranges = parseAccept('multipart/related; type=application/octet-stream; transfer-syntax=*, text/html;q=0');
    assert.equal(ranges.length, 1);
    const [preference] = partPreferences(ranges, 'application/dicom');
    assert.deepEqual(preference, { multipart: true, partType: 'application/octet-stream', transferSyntax: '*', q: 1 });
  });

  it('treats an absent Accept as */* and maps dicomweb-client aliases', () => {
    assert.deepEqual(parseAccept(undefined).map((r) => r.mediaType), ['*/*']);
    const [preference] = partPreferences(parseAccept('multipart/related; type="image/x-jls"'), 'application/octet-stream');
    assert.equal(preference.partType, 'image/jls');
  });

  it('accepts gzip only when the client says so', () => {
    assert.equal(acceptsGzip({ 'accept-encoding': 'gzip, deflate, br' }), true);
    assert.equal(acceptsGzip({ 'accept-encoding': 'gzip;q=0, deflate' }), false);
    assert.equal(acceptsGzip({}), false);
  });
});
