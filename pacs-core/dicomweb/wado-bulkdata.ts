// WADO-RS bulk data (PS3.18 10.4.1.1.5): the values the metadata replaced by
// a BulkDataURI — /studies/{s}/series/{se}/instances/{i}/bulkdata/{tag}.
// Ingest only issues top-level URIs (nested binaries are inlined), so the tag
// is one element of the instance's top-level dataset.
//
// Pixel Data (7FE00010) reuses the frame machinery: native pixel data is
// one application/octet-stream part (all frames, as the element's value);
// encapsulated pixel data is one part per frame in its compressed media type
// (or decoded, as for frames). Other elements are read from the stored file
// with dcmjs, which also handles deflated and big-endian files.
import dcmjs from 'dcmjs';
import { ArchiveError } from '../errors';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { toArrayBuffer } from '../dicom/render-codecs';
import { acceptHeader, describeAccept, partPreferences, rangeCovers } from './accept';
import { multipartContentType, newBoundary, writeMultipart } from './multipart-write';
import { chooseFrameRepresentation, framesAsParts, isNativeSyntax } from './wado-frames';
import { auditRetrieve, lookupForRead, parseFrameIndex, type LookupUids } from './wado-lookup';
import { TS } from './wado-transcode';
import type { DicomwebRequest, DicomwebResponse } from './types';

const OCTET_STREAM = 'application/octet-stream';
const PIXEL_DATA = '7FE00010';

function bytesOf(value: unknown): Buffer {
  const values = Array.isArray(value) ? value : [value];
  return Buffer.concat(
    values.map((v) =>
      v instanceof ArrayBuffer ? Buffer.from(v) : ArrayBuffer.isView(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.alloc(0),
    ),
  );
}

/** GET .../instances/{i}/bulkdata/{tag} */
export async function retrieveBulkdata(request: DicomwebRequest, uids: LookupUids, tagParam: string): Promise<DicomwebResponse> {
  if (!/^[0-9A-Fa-f]{8}$/.test(tagParam)) {
    throw new ArchiveError('BAD_REQUEST', `invalid bulk data tag "${tagParam}": expected 8 hexadecimal digits, e.g. 7FE00010`);
  }
  const tag = tagParam.toUpperCase();
  const target = await lookupForRead(request, uids);
  const instance = target.instance!;
  const metadata = JSON.parse(instance.metadata) as DicomJsonDataset;
  // Only what the metadata advertises as bulk data is served here.
  if (metadata[tag]?.BulkDataURI === undefined) {
    throw new ArchiveError('NOT_FOUND', `instance ${instance.sopInstanceUid} has no bulk data element ${tag}`);
  }
  const preferences = partPreferences(acceptHeader(request.headers), OCTET_STREAM);
  const boundary = newBoundary();

  if (tag === PIXEL_DATA) {
    const index = parseFrameIndex(instance);
    const frameCount = index.length || instance.numberOfFrames;
    const frameNumbers = Array.from({ length: frameCount }, (_, i) => i + 1);
    const storedTs = index.length === 0 ? TS.EXPLICIT_LE : instance.transferSyntaxUid;
    const native = isNativeSyntax(storedTs);
    for (const preference of preferences) {
      // several compressed frames need several parts; native pixel data is one value
      if (!preference.multipart && !native && frameCount > 1) continue;
      const representation = chooseFrameRepresentation([preference], storedTs);
      if (!representation) continue;
      const frames = await framesAsParts(request, instance, frameNumbers, representation);
      const bodies = native || representation.kind === 'decoded' ? [Buffer.concat(frames)] : frames;
      await auditRetrieve(request, target.study);
      if (!preference.multipart) return { status: 200, headers: { 'Content-Type': representation.contentType }, body: bodies[0] };
      const partType = representation.contentType.split(';')[0];
      return {
        status: 200,
        headers: { 'Content-Type': multipartContentType(partType, boundary) },
        body: writeMultipart(bodies.map((body) => ({ contentType: representation.contentType, body })), boundary),
      };
    }
    throw new ArchiveError(
      'NOT_ACCEPTABLE',
      `pixel data stored as ${instance.transferSyntaxUid} cannot be served as "${describeAccept(request.headers)}"`,
    );
  }

  const preference = preferences.find((p) => rangeCovers(p.partType, OCTET_STREAM));
  if (!preference) {
    throw new ArchiveError('NOT_ACCEPTABLE', `bulk data is served as ${OCTET_STREAM}; "${describeAccept(request.headers)}" does not accept it`);
  }
  // Non-pixel bulk data is rare (large private or waveform values): reading
  // the file is acceptable here, and dcmjs decodes any stored syntax.
  const file = dcmjs.data.DicomMessage.readFile(toArrayBuffer(await request.archive.store.get(instance.blobKey)), { untilTag: '7FE00010' });
  const element = file.dict[tag];
  if (!element) throw new ArchiveError('NOT_FOUND', `element ${tag} is not in the stored instance`);
  const body = bytesOf(element.Value);
  const contentType = `${OCTET_STREAM}; transfer-syntax=${TS.EXPLICIT_LE}`;
  await auditRetrieve(request, target.study);
  if (!preference.multipart) return { status: 200, headers: { 'Content-Type': OCTET_STREAM }, body };
  return {
    status: 200,
    headers: { 'Content-Type': multipartContentType(OCTET_STREAM, boundary) },
    body: writeMultipart([{ contentType, body }], boundary),
  };
}
