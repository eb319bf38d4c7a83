// WADO-URI (PS3.18 section 9): GET /wado?requestType=WADO&studyUID=&seriesUID=&objectUID=...
// The legacy single-object retrieve still used by reporting systems and
// older viewers. It shares the lookup (scope → 404), transcoding and
// rendering of WADO-RS; only the parameter syntax differs.
import { ArchiveError } from '../errors';
import type { RenderOptions } from '../dicom/render';
import { auditRetrieve, lookupForRead } from './wado-lookup';
import { renderInstanceFrame } from './wado-rendered';
import { canTranscodeFile, transcodeFile, TS } from './wado-transcode';
import type { DicomwebRequest, DicomwebResponse, Route } from './types';

const UID = /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/;

function bad(message: string): ArchiveError {
  return new ArchiveError('BAD_REQUEST', message);
}

function requiredUid(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw bad(`${name} is required (PS3.18 9.1.2)`);
  if (value.length > 64 || !UID.test(value)) throw bad(`${name} "${value}" is not a valid UID`);
  return value;
}

function optionalInteger(query: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) throw bad(`${name} "${value}" must be an integer ${min}..${max}`);
  return number;
}

function optionalNumber(query: URLSearchParams, name: string): number | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw bad(`${name} "${value}" is not a number`);
  return number;
}

/** region=x1,y1,x2,y2 in normalized [0,1] image coordinates (top-left to bottom-right). */
function parseRegion(value: string | null): RenderOptions['normalizedRegion'] {
  if (value === null) return undefined;
  const numbers = value.split(',').map((s) => Number(s.trim()));
  const [x1, y1, x2, y2] = numbers;
  if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n) || n < 0 || n > 1) || x1 >= x2 || y1 >= y2) {
    throw bad(`region "${value}" must be x1,y1,x2,y2 with 0 <= x1 < x2 <= 1 and 0 <= y1 < y2 <= 1`);
  }
  return { x1, y1, x2, y2 };
}

/** contentType may list several media types in order of preference (PS3.18 9.1.2.1); q-values are ignored. */
function contentTypes(query: URLSearchParams): string[] {
  const value = query.get('contentType');
  if (value === null || value.trim() === '') return ['image/jpeg']; // the default for image objects
  return value.split(',').map((item) => item.split(';')[0].trim().toLowerCase()).filter(Boolean);
}

/** GET /wado */
export async function retrieveWadoUri(request: DicomwebRequest): Promise<DicomwebResponse> {
  const query = request.query;
  const requestType = query.get('requestType');
  if (requestType !== 'WADO') throw bad(`requestType must be WADO (got ${requestType === null ? 'nothing' : `"${requestType}"`})`);
  const uids = { study: requiredUid(query, 'studyUID'), series: requiredUid(query, 'seriesUID'), instance: requiredUid(query, 'objectUID') };
  if (query.get('anonymize') === 'yes') {
    // Never send identified data to a client that asked for it de-identified.
    throw bad('anonymize=yes is not supported by this server');
  }
  const frameNumber = optionalInteger(query, 'frameNumber', 1, 2 ** 31 - 1);
  const rows = optionalInteger(query, 'rows', 1, 8192);
  const columns = optionalInteger(query, 'columns', 1, 8192);
  const quality = optionalInteger(query, 'imageQuality', 1, 100);
  const windowCenter = optionalNumber(query, 'windowCenter');
  const windowWidth = optionalNumber(query, 'windowWidth');
  if ((windowCenter === undefined) !== (windowWidth === undefined)) throw bad('windowCenter and windowWidth go together');
  if (windowWidth !== undefined && windowWidth <= 0) throw bad('windowWidth must be greater than 0');
  const region = parseRegion(query.get('region'));
  const transferSyntax = query.get('transferSyntax');
  if (transferSyntax !== null && transferSyntax !== '*' && !UID.test(transferSyntax)) throw bad(`transferSyntax "${transferSyntax}" is not a UID`);
  const wanted = contentTypes(query);

  const target = await lookupForRead(request, uids);
  const instance = target.instance!;

  for (const contentType of wanted) {
    if (contentType === 'application/dicom') {
      // PS3.18 9.1.2: without transferSyntax, Explicit VR Little Endian.
      const ts = transferSyntax === '*' ? instance.transferSyntaxUid : (transferSyntax ?? TS.EXPLICIT_LE);
      if (!canTranscodeFile(instance.transferSyntaxUid, ts)) continue;
      const store = request.archive.store;
      const body = ts === instance.transferSyntaxUid ? store.stream(instance.blobKey) : await transcodeFile(await store.get(instance.blobKey), instance.transferSyntaxUid, ts);
      await auditRetrieve(request, target.study);
      return { status: 200, headers: { 'Content-Type': 'application/dicom' }, body };
    }
    if (contentType === 'image/jpeg' || contentType === 'image/png' || contentType === 'image/*' || contentType === '*/*') {
      const image = await renderInstanceFrame(request, instance, frameNumber ?? 1, {
        format: contentType === 'image/png' ? 'png' : 'jpeg',
        quality,
        window: windowCenter !== undefined && windowWidth !== undefined ? { center: windowCenter, width: windowWidth, fn: 'LINEAR' } : undefined,
        // PS3.18 9.1.2: rows/columns bound the returned image; the aspect ratio is kept.
        viewport: rows || columns ? { width: columns, height: rows } : undefined,
        normalizedRegion: region,
      });
      await auditRetrieve(request, target.study);
      return { status: 200, headers: { 'Content-Type': image.contentType }, body: image.body };
    }
  }
  throw new ArchiveError(
    'NOT_ACCEPTABLE',
    `cannot return ${wanted.join(', ')} for this object (stored as ${instance.transferSyntaxUid}); available: application/dicom, image/jpeg, image/png`,
  );
}

/** Mounted under the DICOMweb root and, by the server, at the site root /wado. */
export const wadoUriRoutes: Route[] = [{ method: 'GET', pattern: '/wado', handler: (request) => retrieveWadoUri(request) }];
