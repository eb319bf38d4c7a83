// WADO-RS rendered and thumbnail resources (PS3.18 10.4.1.1.4 and 10.4.1.1.6;
// query parameters PS3.18 8.3.5.1): consumer images for reports, referral
// pages and lists — not for diagnosis, which uses frames in the viewer.
//
// Choices (PS3.18 leaves them to the origin server):
//   - a multi-frame instance's /rendered is its first frame as one image
//     (a still for a report; cine belongs to the viewer), /frames/{n}/rendered
//     picks a frame; a frame list of more than one is 406 (we produce no
//     multi-frame media types such as video or animated GIF);
//   - study/series /rendered is multipart/related of every image instance's
//     first frame, in stack order;
//   - an Encapsulated Document instance's /rendered is its document in its own
//     media type, e.g. application/pdf (wado-rendered-document.ts);
//   - /thumbnail fits within 128×128 unless `viewport` says otherwise; for a
//     series it is the middle instance, for a study the middle instance of its
//     first image series (the middle of a stack shows the anatomy best).
import { ArchiveError } from '../errors';
import type { DicomJsonDataset } from '../dicom/dicom-json';
import { renderFrame, type RenderOptions, type RenderViewport, type RenderWindow, type VoiLutFunction } from '../dicom/render';
import { elementsFromFile, elementsFromMetadata } from '../dicom/render-source';
import { acceptHeader, describeAccept, rangeCovers } from './accept';
import { multipartContentType, newBoundary, writeMultipart, type MultipartPart } from './multipart-write';
import { auditRetrieve, listInstances, lookupForRead, parseFrameIndex, type InstanceRecord, type LookupResult, type LookupUids } from './wado-lookup';
import { parseFrameList } from './wado-frames';
import { isEncapsulatedDocument, renderedDocument } from './wado-rendered-document';
import type { DicomwebRequest, DicomwebResponse } from './types';

export const THUMBNAIL_SIZE = 128;

const FORMATS = [
  { mediaType: 'image/jpeg', format: 'jpeg' },
  { mediaType: 'image/png', format: 'png' },
] as const;
type Format = (typeof FORMATS)[number]['format'];

function parseNumberList(name: string, value: string, allowEmpty = false): Array<number | undefined> {
  return value.split(',').map((item) => {
    const trimmed = item.trim();
    if (trimmed === '' && allowEmpty) return undefined;
    const number = Number(trimmed);
    if (trimmed === '' || !Number.isFinite(number)) throw new ArchiveError('BAD_REQUEST', `invalid ${name} "${value}"`);
    return number;
  });
}

/** PS3.18 8.3.5.1.2: window=center,width[,function] with function linear | linear-exact | sigmoid. */
export function parseWindow(value: string | null): RenderWindow | undefined {
  if (value === null) return undefined;
  const [centerText, widthText, fnText = 'linear', ...rest] = value.split(',').map((s) => s.trim());
  const center = Number(centerText);
  const width = Number(widthText);
  const functions: Record<string, VoiLutFunction> = { linear: 'LINEAR', 'linear-exact': 'LINEAR_EXACT', sigmoid: 'SIGMOID' };
  const fn = functions[fnText.toLowerCase()];
  if (rest.length > 0 || !centerText || !widthText || !Number.isFinite(center) || !Number.isFinite(width) || width <= 0 || !fn) {
    throw new ArchiveError('BAD_REQUEST', `invalid window "${value}": expected center,width[,linear|linear-exact|sigmoid] with width > 0`);
  }
  return { center, width, fn };
}

/** PS3.18 8.3.5.1.3: viewport=vw,vh[,sx,sy,sw,sh]; vw or vh may be empty (keep aspect ratio). */
export function parseViewport(value: string | null): RenderViewport | undefined {
  if (value === null) return undefined;
  const numbers = parseNumberList('viewport', value, true);
  const [vw, vh, sx, sy, sw, sh] = numbers;
  const sizeOk = (n: number | undefined) => n === undefined || (Number.isInteger(n) && n > 0 && n <= 8192);
  if ((numbers.length !== 2 && numbers.length !== 6) || !sizeOk(vw) || !sizeOk(vh) || (vw === undefined && vh === undefined)) {
    throw new ArchiveError('BAD_REQUEST', `invalid viewport "${value}": expected vw,vh[,sx,sy,sw,sh] with sizes 1..8192`);
  }
  if (numbers.length === 6) {
    if ([sx, sy, sw, sh].some((n) => n === undefined) || sw === 0 || sh === 0) {
      throw new ArchiveError('BAD_REQUEST', `invalid viewport region in "${value}"`);
    }
    return { width: vw, height: vh, region: { sx: sx!, sy: sy!, sw: sw!, sh: sh! } };
  }
  return { width: vw, height: vh };
}

function parseQuality(value: string | null): number | undefined {
  if (value === null) return undefined;
  const quality = Number(value);
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new ArchiveError('BAD_REQUEST', `invalid quality "${value}": expected an integer 1..100`);
  }
  return quality;
}

export function renderOptionsFromQuery(query: URLSearchParams, format: Format, thumbnail: boolean): RenderOptions {
  const viewport = parseViewport(query.get('viewport'));
  return {
    format,
    quality: parseQuality(query.get('quality')),
    // A thumbnail uses the dataset's window (PS3.18 8.3.5.1: window does not apply to thumbnails).
    window: thumbnail ? undefined : parseWindow(query.get('window')),
    viewport: viewport ?? (thumbnail ? { width: THUMBNAIL_SIZE, height: THUMBNAIL_SIZE } : undefined),
  };
}

/**
 * image/jpeg is the default rendered media type, image/png is offered too
 * (PS3.18 8.7.4, rendered media types). Single images answer image/* ranges;
 * study/series answers are multipart/related with the image as `type`.
 */
function chooseFormat(request: DicomwebRequest, multipart: boolean): { format: Format; mediaType: string } {
  for (const range of acceptHeader(request.headers)) {
    let partType: string;
    if (range.mediaType === 'multipart/related' || range.mediaType === 'multipart/*') {
      if (!multipart) continue;
      partType = range.parameters.type ?? 'image/jpeg';
    } else if (range.mediaType === '*/*') {
      partType = '*/*';
    } else {
      if (multipart) continue;
      partType = range.mediaType;
    }
    const match = FORMATS.find((f) => rangeCovers(partType, f.mediaType));
    if (match) return match;
  }
  throw new ArchiveError(
    'NOT_ACCEPTABLE',
    `rendered images are image/jpeg or image/png${multipart ? ' in multipart/related' : ''}; "${describeAccept(request.headers)}" accepts neither`,
  );
}

function hasPixels(instance: InstanceRecord): boolean {
  return parseFrameIndex(instance).length > 0 || instance.metadata.includes('"7FE00010"');
}

/**
 * Renders 1-based `frameNumber` of an instance, reading only that frame when the header row suffices.
 * Needs only the archive's store: lib/reports renders a report's key images with it too.
 */
export async function renderInstanceFrame(request: Pick<DicomwebRequest, 'archive'>, instance: InstanceRecord, frameNumber: number, options: RenderOptions) {
  if (!hasPixels(instance)) {
    throw new ArchiveError('NOT_ACCEPTABLE', `instance ${instance.sopInstanceUid} has no pixel data to render`);
  }
  const index = parseFrameIndex(instance);
  const frameCount = index.length || instance.numberOfFrames;
  if (frameNumber > frameCount) {
    throw new ArchiveError('NOT_FOUND', `frame ${frameNumber} does not exist: instance ${instance.sopInstanceUid} has ${frameCount} frame(s)`);
  }
  const store = request.archive.store;
  if (index.length > 0) {
    const ranges = index[frameNumber - 1];
    const pieces = await Promise.all(ranges.map(([offset, length]) => store.getRange(instance.blobKey, offset, length)));
    const elements = elementsFromMetadata(JSON.parse(instance.metadata) as DicomJsonDataset, [Buffer.concat(pieces)]);
    if (elements) return renderFrame({ elements, transferSyntaxUid: instance.transferSyntaxUid, frame: 0 }, options);
  }
  const { elements, transferSyntaxUid } = elementsFromFile(await store.get(instance.blobKey));
  return renderFrame({ elements, transferSyntaxUid, frame: frameNumber - 1 }, options);
}

async function imageInstances(request: DicomwebRequest, target: LookupResult): Promise<InstanceRecord[]> {
  return (await listInstances(request.archive, target)).filter(hasPixels);
}

/** The representative instance for a series/study thumbnail: the middle of the first image series. */
async function representativeInstance(request: DicomwebRequest, target: LookupResult): Promise<InstanceRecord> {
  if (target.instance) return target.instance;
  const images = await imageInstances(request, target);
  if (images.length === 0) throw new ArchiveError('NOT_ACCEPTABLE', `${request.path}: nothing to render (no image instances)`);
  const firstSeries = images.filter((i) => i.seriesInstanceUid === images[0].seriesInstanceUid);
  return firstSeries[Math.floor(firstSeries.length / 2)];
}

/** GET .../rendered at study, series, instance or frame level. */
export async function retrieveRendered(request: DicomwebRequest, uids: LookupUids, frameList?: string): Promise<DicomwebResponse> {
  const frameNumbers = frameList === undefined ? [1] : parseFrameList(frameList);
  if (frameNumbers.length > 1) {
    throw new ArchiveError('NOT_ACCEPTABLE', 'rendering several frames would need a multi-frame media type (video, GIF), which is not offered; request one frame');
  }
  const target = await lookupForRead(request, uids);
  if (target.instance && frameList === undefined && isEncapsulatedDocument(target.instance)) {
    const response = await renderedDocument(request, target.instance);
    await auditRetrieve(request, target.study);
    return response;
  }
  const collection = !target.instance;
  const { format, mediaType } = chooseFormat(request, collection);
  const options = renderOptionsFromQuery(request.query, format, false);

  if (target.instance) {
    const image = await renderInstanceFrame(request, target.instance, frameNumbers[0], options);
    await auditRetrieve(request, target.study);
    return { status: 200, headers: { 'Content-Type': image.contentType }, body: image.body };
  }
  const instances = await imageInstances(request, target);
  if (instances.length === 0) throw new ArchiveError('NOT_ACCEPTABLE', `${request.path}: nothing to render (no image instances)`);
  const boundary = newBoundary();
  async function* parts(): AsyncGenerator<MultipartPart> {
    for (const instance of instances) {
      const image = await renderInstanceFrame(request, instance, 1, options);
      yield {
        contentType: image.contentType,
        contentLocation: `${request.baseUrl}/studies/${uids.study}/series/${instance.seriesInstanceUid}/instances/${instance.sopInstanceUid}/rendered`,
        body: image.body,
      };
    }
  }
  await auditRetrieve(request, target.study);
  return { status: 200, headers: { 'Content-Type': multipartContentType(mediaType, boundary) }, body: writeMultipart(parts(), boundary) };
}

/** GET .../thumbnail at study, series, instance (or frame) level: one small image. */
export async function retrieveThumbnail(request: DicomwebRequest, uids: LookupUids, frameList?: string): Promise<DicomwebResponse> {
  const frameNumbers = frameList === undefined ? [1] : parseFrameList(frameList);
  const target = await lookupForRead(request, uids);
  const { format } = chooseFormat(request, false);
  const options = renderOptionsFromQuery(request.query, format, true);
  const instance = await representativeInstance(request, target);
  const image = await renderInstanceFrame(request, instance, frameNumbers[0], options);
  await auditRetrieve(request, target.study);
  return { status: 200, headers: { 'Content-Type': image.contentType }, body: image.body };
}
