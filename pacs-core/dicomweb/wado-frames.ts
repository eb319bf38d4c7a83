// WADO-RS frames (PS3.18 10.4.1.1.3 "Frame Pixel Data"):
// /studies/{s}/series/{se}/instances/{i}/frames/{list}.
//
// Frames are cut out of the stored file with getRange on the byte ranges
// recorded at ingest (Instance.frameIndex) — the file is never read whole.
// Representations (PS3.18 Table 8.7.3-2 media types):
//   - native pixel data: application/octet-stream, transfer-syntax=1.2.840.10008.1.2.1;
//   - compressed: the stored bitstream in its own media type (image/jpeg,
//     image/jls, image/jp2, image/jphc, image/dicom-rle...), transfer-syntax=<stored>;
//   - compressed, decoded on request: application/octet-stream (no parameter,
//     i.e. the default Explicit VR Little Endian) when the codec is available.
// `type=application/octet-stream; transfer-syntax=*` (what OHIF sends) means
// "any syntax": the stored bitstream is sent, labelled with its syntax, since
// the part's transfer-syntax parameter tells the client how to read it.
import { ArchiveError } from '../errors';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../dicom/transfer-syntax';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { acceptHeader, describeAccept, partPreferences, rangeCovers, type PartPreference } from './accept';
import { multipartContentType, newBoundary, writeMultipart, type MultipartPart } from './multipart-write';
import { auditRetrieve, lookupForRead, parseFrameIndex, type InstanceRecord, type LookupUids } from './wado-lookup';
import { canDecodeFrames, decodeFrame, describePixels, framesFromWholeFile, TS } from './wado-transcode';
import type { DicomwebRequest, DicomwebResponse } from './types';

const OCTET_STREAM = 'application/octet-stream';

/** PS3.18 8.7.3: a frame list is 1-based frame numbers separated by commas. */
export function parseFrameList(list: string): number[] {
  const items = list.split(',').map((item) => item.trim());
  if (items.length === 0 || items.some((item) => !/^[1-9][0-9]{0,8}$/.test(item))) {
    throw new ArchiveError('BAD_REQUEST', `invalid frame list "${list}": expected 1-based frame numbers separated by commas, e.g. 1,2,3`);
  }
  return items.map(Number);
}

export type FrameRepresentation =
  /** stored bytes, as they are */
  | { kind: 'stored'; contentType: string }
  /** compressed frames decoded to native Explicit VR Little Endian */
  | { kind: 'decoded'; contentType: string };

export function isNativeSyntax(transferSyntaxUid: string): boolean {
  const info = SUPPORTED_TRANSFER_SYNTAXES[transferSyntaxUid];
  return info ? !info.encapsulated : true;
}

/**
 * The part representation for frames of an instance stored in `storedTs`,
 * following the client's preferences; null when none can be produced.
 */
export function chooseFrameRepresentation(preferences: PartPreference[], storedTs: string): FrameRepresentation | null {
  const nativeLabel = `${OCTET_STREAM}; transfer-syntax=${TS.EXPLICIT_LE}`;
  for (const preference of preferences) {
    const requested = preference.transferSyntax;
    if (isNativeSyntax(storedTs)) {
      // Native frames are little-endian pixel bytes, i.e. Explicit VR LE (the ingest index is of LE data).
      if (rangeCovers(preference.partType, OCTET_STREAM) && (!requested || requested === '*' || requested === TS.EXPLICIT_LE)) {
        return { kind: 'stored', contentType: nativeLabel };
      }
      continue;
    }
    const mediaType = SUPPORTED_TRANSFER_SYNTAXES[storedTs]?.frameMediaType ?? OCTET_STREAM;
    if (rangeCovers(preference.partType, mediaType) && (!requested || requested === '*' || requested === storedTs)) {
      return { kind: 'stored', contentType: `${mediaType}; transfer-syntax=${storedTs}` };
    }
    if (preference.partType === OCTET_STREAM && (requested === '*' || requested === storedTs)) {
      return { kind: 'stored', contentType: `${OCTET_STREAM}; transfer-syntax=${storedTs}` };
    }
    if (rangeCovers(preference.partType, OCTET_STREAM) && (!requested || requested === TS.EXPLICIT_LE) && canDecodeFrames(storedTs)) {
      return { kind: 'decoded', contentType: nativeLabel };
    }
  }
  return null;
}

/**
 * The bytes of the given 1-based frames of an instance, as stored (native
 * slices or compressed bitstreams). 404 for a frame beyond NumberOfFrames.
 */
export async function readStoredFrames(request: DicomwebRequest, instance: InstanceRecord, frameNumbers: number[]): Promise<Buffer[]> {
  const index = parseFrameIndex(instance);
  const metadata = JSON.parse(instance.metadata) as DicomJsonDataset;
  if (!metadata['7FE00010'] && index.length === 0) {
    throw new ArchiveError('NOT_FOUND', `instance ${instance.sopInstanceUid} has no pixel data`);
  }
  const frameCount = index.length || instance.numberOfFrames;
  const missing = frameNumbers.filter((n) => n > frameCount);
  if (missing.length > 0) {
    throw new ArchiveError('NOT_FOUND', `frame ${missing.join(',')} does not exist: instance ${instance.sopInstanceUid} has ${frameCount} frame(s)`);
  }
  if (index.length === 0) {
    // Not indexable at ingest (deflated, big endian): decode the whole file once.
    const pixels = describePixels(metadata);
    if (!pixels) throw new ArchiveError('NOT_FOUND', `instance ${instance.sopInstanceUid} has no image pixel description`);
    const all = await framesFromWholeFile(await request.archive.store.get(instance.blobKey), instance.transferSyntaxUid, pixels);
    return frameNumbers.map((n) => all[n - 1] ?? Buffer.alloc(0));
  }
  const store = request.archive.store;
  return Promise.all(
    frameNumbers.map(async (n) => {
      const ranges = index[n - 1];
      const pieces = await Promise.all(ranges.map(([offset, length]) => store.getRange(instance.blobKey, offset, length)));
      return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
    }),
  );
}

/** Frames in the chosen representation (decoding when needed), fully prepared before the response starts. */
export async function framesAsParts(
  request: DicomwebRequest,
  instance: InstanceRecord,
  frameNumbers: number[],
  representation: FrameRepresentation,
): Promise<Buffer[]> {
  const stored = await readStoredFrames(request, instance, frameNumbers);
  if (representation.kind === 'stored' || parseFrameIndex(instance).length === 0) return stored;
  const pixels = describePixels(JSON.parse(instance.metadata) as DicomJsonDataset);
  if (!pixels) throw new ArchiveError('NOT_ACCEPTABLE', 'the instance lacks the Image Pixel attributes needed to decode it');
  try {
    return await Promise.all(stored.map((frame) => decodeFrame(frame, instance.transferSyntaxUid, pixels)));
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError('NOT_ACCEPTABLE', `frames stored as ${instance.transferSyntaxUid} could not be decoded; ask for transfer-syntax=* to get them as stored`);
  }
}

export function frameUrl(request: DicomwebRequest, uids: LookupUids, frame: number): string {
  return `${request.baseUrl}/studies/${uids.study}/series/${uids.series}/instances/${uids.instance}/frames/${frame}`;
}

/** GET .../instances/{i}/frames/{list} */
export async function retrieveFrames(request: DicomwebRequest, uids: LookupUids, list: string): Promise<DicomwebResponse> {
  const frameNumbers = parseFrameList(list);
  const target = await lookupForRead(request, uids);
  const instance = target.instance!;
  const preferences = partPreferences(acceptHeader(request.headers), OCTET_STREAM);
  // A single-part answer (e.g. Accept: image/jpeg) is only possible for one frame.
  const usable = frameNumbers.length === 1 ? preferences : preferences.filter((p) => p.multipart);
  const storedTs = parseFrameIndex(instance).length === 0 ? TS.EXPLICIT_LE : instance.transferSyntaxUid;
  let chosen: { preference: PartPreference; representation: FrameRepresentation } | null = null;
  for (const preference of usable) {
    const representation = chooseFrameRepresentation([preference], storedTs);
    if (representation) {
      chosen = { preference, representation };
      break;
    }
  }
  if (!chosen) {
    const stored = SUPPORTED_TRANSFER_SYNTAXES[instance.transferSyntaxUid];
    throw new ArchiveError(
      'NOT_ACCEPTABLE',
      `frames of this instance are stored as ${instance.transferSyntaxUid}${stored ? ` (${stored.name}, ${stored.frameMediaType})` : ''}` +
        ` and cannot be served as "${describeAccept(request.headers)}"` +
        (canDecodeFrames(instance.transferSyntaxUid) || isNativeSyntax(instance.transferSyntaxUid) ? '' : '; ask for transfer-syntax=* to get them as stored'),
    );
  }
  const frames = await framesAsParts(request, instance, frameNumbers, chosen.representation);
  await auditRetrieve(request, target.study);
  const contentType = chosen.representation.contentType;
  if (!chosen.preference.multipart) {
    return { status: 200, headers: { 'Content-Type': contentType }, body: frames[0] };
  }
  const boundary = newBoundary();
  const partType = contentType.split(';')[0];
  const parts: MultipartPart[] = frames.map((body, i) => ({ contentType, contentLocation: frameUrl(request, uids, frameNumbers[i]), body }));
  return { status: 200, headers: { 'Content-Type': multipartContentType(partType, boundary) }, body: writeMultipart(parts, boundary) };
}
