import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { parseMultipart } from '../../pacs-core/dicomweb/multipart-parse';
import {
  assignStowResults,
  buildStowBody,
  describeFailureReason,
  describeHttpRefusal,
  newBoundary,
  oversizeReason,
  parseStowResponse,
  planBatches,
  retryDelayMs,
  skipReason,
} from './stow-client';

const UI = (value: string) => ({ vr: 'UI', Value: [value] });

describe('STOW-RS client', () => {
  it('builds a multipart/related body that the archive parses back into the same files', async () => {
    const files = [new Uint8Array([1, 2, 3]), new Uint8Array(Buffer.from('\r\n--not-the-boundary\r\n')), new Uint8Array(0)];
    const boundary = newBoundary();
    const body = Buffer.from(await buildStowBody(files, boundary).arrayBuffer());
    const parts: Buffer[] = [];
    for await (const part of parseMultipart(Readable.from([body]), boundary, 1 << 20)) parts.push(Buffer.from(part.body));
    assert.deepEqual(parts.map((part) => [...part]), files.map((file) => [...file]));
  });

  it("reads each stored instance's study from its RetrieveURL", () => {
    const summary = parseStowResponse({
      '00081199': {
        vr: 'SQ',
        Value: [
          { '00081155': UI('1.2.3.1'), '00081190': { vr: 'UR', Value: ['http://pacs.example/dicomweb/studies/1.2.840.9/series/1.2.840.9.1/instances/1.2.3.1'] } },
          { '00081155': UI('1.2.3.2') },
        ],
      },
    });
    assert.deepEqual(summary.stored, [{ sopInstanceUid: '1.2.3.1', studyInstanceUid: '1.2.840.9' }, { sopInstanceUid: '1.2.3.2' }]);
  });

  it('reads stored and failed instances, with the part number the archive names', () => {
    const summary = parseStowResponse({
      '00081199': { vr: 'SQ', Value: [{ '00081155': UI('1.2.3.1') }, { '00081155': UI('1.2.3.3') }] },
      '00081198': {
        vr: 'SQ',
        Value: [{ '00081197': { vr: 'US', Value: [0xc000] }, '00000902': { vr: 'LO', Value: ['part 2: not a DICOM file'] } }],
      },
    });
    assert.deepEqual(summary.stored, [{ sopInstanceUid: '1.2.3.1' }, { sopInstanceUid: '1.2.3.3' }]);
    assert.deepEqual(summary.failed, [{ sopInstanceUid: undefined, failureReason: 0xc000, comment: 'not a DICOM file', partNumber: 2 }]);
    assert.deepEqual(assignStowResults(3, summary), [
      { status: 'stored', sopInstanceUid: '1.2.3.1' },
      { status: 'failed', sopInstanceUid: undefined, reason: 'not a DICOM file' },
      { status: 'stored', sopInstanceUid: '1.2.3.3' },
    ]);
  });

  it('falls back to "unknown" when the answer cannot be tied to files', () => {
    const summary = parseStowResponse({
      '00081199': { vr: 'SQ', Value: [{ '00081155': UI('1.2.3.1') }] },
      '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [0x0110] } }] },
    });
    assert.deepEqual(
      assignStowResults(2, summary).map((result) => result.status),
      ['unknown', 'unknown'],
    );
  });

  it('marks every file failed when nothing was stored', () => {
    const summary = parseStowResponse({ '00081198': { vr: 'SQ', Value: [{ '00081197': { vr: 'US', Value: [0xc122] } }] } });
    assert.deepEqual(assignStowResults(1, summary), [{ status: 'failed', sopInstanceUid: undefined, reason: 'Transfer syntax not supported' }]);
    assert.equal(describeFailureReason(0xbeef), 'Failure 0xBEEF');
  });

  it('batches by count and by size', () => {
    const files = Array.from({ length: 45 }, () => ({ size: 1 }));
    assert.deepEqual(planBatches(files).map((batch) => batch.length), [20, 20, 5]);
    assert.deepEqual(planBatches([{ size: 60 }, { size: 60 }, { size: 200 }, { size: 1 }], 20, 100).map((batch) => batch.length), [1, 1, 1, 1]);
  });

  it('skips the DICOMDIR and system clutter, not extension-less image files', () => {
    assert.ok(skipReason('CD/DICOMDIR'));
    assert.ok(skipReason('__MACOSX/IMG/._1'));
    assert.ok(skipReason('CD/viewer/setup.exe'));
    assert.equal(skipReason('CD/DICOM/ST000000/SE000001/IM000001'), undefined);
    assert.equal(skipReason('export/image.dcm'), undefined);
  });

  it("shows the archive's own reason for a refused upload: the limit on 413, busy on 503", () => {
    const tooLarge = JSON.stringify({ error: 'part 1 is larger than the limit of 2048 MiB per instance', code: 'PAYLOAD_TOO_LARGE', limitBytes: 2 ** 31 });
    assert.equal(describeHttpRefusal(413, tooLarge), 'Too large for the archive: part 1 is larger than the limit of 2048 MiB per instance.');
    const busy = JSON.stringify({ error: 'too many uploads at once: at most 4 STOW requests per user may run together; retry after 5 s', code: 'BUSY' });
    assert.match(describeHttpRefusal(503, busy), /^The archive is busy: too many uploads at once/);
    assert.equal(describeHttpRefusal(413, ''), 'Too large for the archive.');
    assert.equal(describeHttpRefusal(502, 'Bad gateway'), 'Archive answered 502: Bad gateway');
  });

  it('waits as long as Retry-After says before sending again (seconds or a date, at most a minute)', () => {
    assert.equal(retryDelayMs('5'), 5000);
    assert.equal(retryDelayMs('3600'), 60_000);
    assert.equal(retryDelayMs(null), 5000);
    assert.equal(retryDelayMs(new Date(1_000_000 + 7000).toUTCString(), 1_000_000), 7000);
  });

  it('does not send a file larger than the archive takes in one instance', () => {
    const limits = { maxPartBytes: 100, maxRequestBytes: 1000 };
    assert.equal(oversizeReason(100, limits), undefined);
    assert.match(oversizeReason(101, limits) ?? '', /Larger than the archive accepts/);
  });
});
