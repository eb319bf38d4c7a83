// WADO-RS metadata (PS3.18 10.4.1.1.2): application/dicom+json arrays built
// from the headers stored at ingest — never from the files. Series level is
// served from the gzip'd cache (series-metadata-cache.ts); study level is the
// concatenation of its series' caches; instance level is one row.
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ArchiveError } from '../errors';
import { acceptHeader, acceptsGzip, describeAccept, rangeCovers } from './accept';
import { gunzipAsync, getSeriesMetadata, seriesMetadataText, substituteBaseUrl } from './series-metadata-cache';
import { auditRetrieve, lookupForRead, type LookupUids } from './wado-lookup';
import type { DicomwebRequest, DicomwebResponse } from './types';

const gzipAsync = promisify(gzip);
const DICOM_JSON = 'application/dicom+json';

/**
 * PS3.18 8.7.3 (metadata media types): metadata is application/dicom+json (the
 * default) or multipart/related; type="application/dicom+xml". We serve the
 * JSON form; application/json is accepted because generic HTTP clients send it.
 */
function assertJsonAccepted(request: DicomwebRequest): void {
  const ok = acceptHeader(request.headers).some(
    (range) => rangeCovers(range.mediaType, DICOM_JSON) || range.mediaType === 'application/json',
  );
  if (!ok) {
    throw new ArchiveError(
      'NOT_ACCEPTABLE',
      `metadata is available as ${DICOM_JSON} only; "${describeAccept(request.headers)}" does not accept it`,
    );
  }
}

function jsonHeaders(extra: Record<string, string> = {}): Record<string, string> {
  // The body differs with Accept-Encoding: caches must key on it.
  return { 'Content-Type': `${DICOM_JSON}; charset=utf-8`, Vary: 'Accept-Encoding', ...extra };
}

async function jsonResponse(request: DicomwebRequest, json: string): Promise<DicomwebResponse> {
  if (acceptsGzip(request.headers)) {
    return { status: 200, headers: jsonHeaders({ 'Content-Encoding': 'gzip' }), body: await gzipAsync(Buffer.from(json, 'utf8')) };
  }
  return { status: 200, headers: jsonHeaders(), body: Buffer.from(json, 'utf8') };
}

/** GET .../metadata at study, series or instance level. */
export async function retrieveMetadata(request: DicomwebRequest, uids: LookupUids): Promise<DicomwebResponse> {
  assertJsonAccepted(request);
  const target = await lookupForRead(request, uids);
  const { archive, baseUrl } = request;

  if (target.instance) {
    await auditRetrieve(request, target.study);
    return jsonResponse(request, `[${substituteBaseUrl(target.instance.metadata, baseUrl)}]`);
  }

  if (target.series) {
    const cached = await getSeriesMetadata(archive, target.series, baseUrl);
    await auditRetrieve(request, target.study);
    // A client revalidating an unchanged series gets 304 without a body (RFC 9110 13.1.2).
    if (request.headers['if-none-match'] === cached.etag) {
      return { status: 304, headers: { ETag: cached.etag, Vary: 'Accept-Encoding' } };
    }
    if (acceptsGzip(request.headers)) {
      return { status: 200, headers: jsonHeaders({ 'Content-Encoding': 'gzip', ETag: cached.etag }), body: cached.gzip };
    }
    return { status: 200, headers: jsonHeaders({ ETag: cached.etag }), body: await gunzipAsync(cached.gzip) };
  }

  const seriesList = await archive.db.series.findMany({
    where: { studyRef: target.study.id },
    orderBy: [{ seriesNumber: { sort: 'asc', nulls: 'last' } }, { seriesInstanceUid: 'asc' }],
    select: { id: true, seriesInstanceUid: true, metadataVersion: true },
  });
  const parts: string[] = [];
  for (const series of seriesList) {
    const text = (await seriesMetadataText(archive, series, baseUrl)).trim();
    const inner = text.slice(1, -1).trim(); // strip the array brackets to join arrays
    if (inner) parts.push(inner);
  }
  await auditRetrieve(request, target.study);
  return jsonResponse(request, `[${parts.join(',')}]`);
}
