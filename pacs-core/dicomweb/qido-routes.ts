// QIDO-RS (PS3.18 10.6): six search resources over the index. Transport only:
// parse, ask the index, shape the HTTP answer; the matching lives in pacs-core/index.
import { ArchiveError } from '../errors';
import {
  attributeMatch,
  findInstances,
  findSeries,
  findStudies,
  isSeriesVisible,
  isStudyVisible,
  parseQidoQuery,
  resolveAttribute,
  type FindOptions,
  type IndexQuery,
  type QueryLevel,
  type SearchResult,
} from '../index';
import { describeAccept, notAcceptable, parseAccept, rangeCovers } from './accept';
import type { DicomwebRequest, DicomwebResponse, Route } from './types';

const DICOM_JSON = 'application/dicom+json';

/**
 * PS3.18 8.7.3 / 10.6.2: a search answers DICOM JSON (XML is not offered), so
 * the Accept header (or the `accept` query parameter of PS3.18 8.3.3.1) must
 * allow application/dicom+json or application/json. Returns the type to send.
 */
export function negotiateSearchMediaType(request: DicomwebRequest): string {
  const ranges = parseAccept(request.query.get('accept') ?? request.headers.accept);
  for (const range of ranges) {
    if (rangeCovers(range.mediaType, DICOM_JSON)) return DICOM_JSON;
    if (range.mediaType === 'application/json') return 'application/json';
  }
  throw notAcceptable(`search results are only available as ${DICOM_JSON} or application/json, not ${describeAccept(request.headers)}`);
}

interface SearchPlan {
  level: QueryLevel;
  /** UIDs from the path, added as single-value keys (PS3.18 10.6.1.2) */
  study?: string;
  series?: string;
}

function uidFromPath(name: string, value: string): string {
  // The same rule as a UID query key: a malformed path UID is a 400, not a 404
  attributeMatch('instance', resolveAttribute(name), value);
  return value;
}

function addPathKeys(query: IndexQuery, plan: SearchPlan): void {
  for (const [name, uid] of [['StudyInstanceUID', plan.study], ['SeriesInstanceUID', plan.series]] as const) {
    if (!uid) continue;
    const attribute = resolveAttribute(name);
    const given = query.matches.get(attribute.tag);
    if (given && given.match.kind !== 'universal') throw new ArchiveError('BAD_REQUEST', `${name} is already given in the path`);
    query.matches.set(attribute.tag, attributeMatch(query.level, attribute, uid));
  }
}

async function search(request: DicomwebRequest, plan: SearchPlan): Promise<DicomwebResponse> {
  const mediaType = negotiateSearchMediaType(request);
  const query = parseQidoQuery(plan.level, request.query);
  const { db } = request.archive;
  const scope = request.principal.readScope;
  // A parent the caller may not see answers exactly as one that does not exist
  if (plan.series && plan.study && !(await isSeriesVisible(db, plan.study, plan.series, scope))) {
    throw new ArchiveError('NOT_FOUND', `series ${plan.series} not found in study ${plan.study}`, { studyUid: plan.study });
  }
  if (plan.study && !plan.series && !(await isStudyVisible(db, plan.study, scope))) {
    throw new ArchiveError('NOT_FOUND', `study ${plan.study} not found`, { studyUid: plan.study });
  }
  addPathKeys(query, plan);

  const options: FindOptions = {
    baseUrl: request.baseUrl,
    includeStudyAttributes: !plan.study,
    includeSeriesAttributes: !plan.series,
  };
  const result: SearchResult =
    plan.level === 'study'
      ? await findStudies(db, query, scope, options)
      : plan.level === 'series'
        ? await findSeries(db, query, scope, options)
        : await findInstances(db, query, scope, options);

  const queryString = request.query.toString();
  await request.principal.audit({
    action: 'dicomweb.qido',
    outcome: 'SUCCESS',
    studyUid: plan.study,
    resource: queryString ? `${request.path}?${queryString}` : request.path,
    details: { level: plan.level, results: result.matches.length },
  });

  const headers: Record<string, string> = {};
  if (result.truncated) {
    // PS3.18 8.3.4.4: tell the client the answer was cut at the server's maximum
    headers.warning = '299 telepacs: "The number of results exceeded the maximum supported by the server. Additional results can be requested."';
  }
  // PS3.18 8.3.4.4.1 (2025b): no match is 204 No Content with no payload.
  // CP-2473 proposes 200 with an empty array instead; dicomweb-client and OHIF accept both.
  if (!result.matches.length) return { status: 204, headers };
  return { status: 200, headers: { ...headers, 'content-type': `${mediaType}; charset=utf-8` }, body: JSON.stringify(result.matches) };
}

/** Errors are ArchiveErrors, mapped to a status and reason once by http-handler.ts. */
function searchHandler(plan: (params: Record<string, string>) => SearchPlan): Route['handler'] {
  return async (request, params) => search(request, plan(params));
}

export const qidoRoutes: Route[] = [
  { method: 'GET', pattern: '/studies', handler: searchHandler(() => ({ level: 'study' })) },
  { method: 'GET', pattern: '/series', handler: searchHandler(() => ({ level: 'series' })) },
  { method: 'GET', pattern: '/instances', handler: searchHandler(() => ({ level: 'instance' })) },
  {
    method: 'GET',
    pattern: '/studies/:study/series',
    handler: searchHandler((p) => ({ level: 'series', study: uidFromPath('StudyInstanceUID', p.study) })),
  },
  {
    method: 'GET',
    pattern: '/studies/:study/instances',
    handler: searchHandler((p) => ({ level: 'instance', study: uidFromPath('StudyInstanceUID', p.study) })),
  },
  {
    method: 'GET',
    pattern: '/studies/:study/series/:series/instances',
    handler: searchHandler((p) => ({
      level: 'instance',
      study: uidFromPath('StudyInstanceUID', p.study),
      series: uidFromPath('SeriesInstanceUID', p.series),
    })),
  },
];
