// WADO-RS routes (PS3.18 10.4, resources in Table 10.4.1-1), mounted under
// the DICOMweb root. Handlers throw ArchiveError; the router maps it once with
// toHttpStatus (400 bad parameter, 404 absent or outside the caller's scope,
// 406 unservable Accept).
import { retrieveBulkdata } from './wado-bulkdata';
import { retrieveFrames } from './wado-frames';
import { retrieveMetadata } from './wado-metadata';
import { retrieveRendered, retrieveThumbnail } from './wado-rendered';
import { retrieveDicom } from './wado-retrieve';
import type { Route } from './types';

const STUDY = '/studies/:study';
const SERIES = `${STUDY}/series/:series`;
const INSTANCE = `${SERIES}/instances/:instance`;

type Params = Record<string, string>;
const uids = (p: Params) => ({ study: p.study, series: p.series, instance: p.instance });

export const wadoRoutes: Route[] = [
  { method: 'GET', pattern: STUDY, handler: (request, p) => retrieveDicom(request, uids(p)) },
  { method: 'GET', pattern: SERIES, handler: (request, p) => retrieveDicom(request, uids(p)) },
  { method: 'GET', pattern: INSTANCE, handler: (request, p) => retrieveDicom(request, uids(p)) },

  { method: 'GET', pattern: `${STUDY}/metadata`, handler: (request, p) => retrieveMetadata(request, uids(p)) },
  { method: 'GET', pattern: `${SERIES}/metadata`, handler: (request, p) => retrieveMetadata(request, uids(p)) },
  { method: 'GET', pattern: `${INSTANCE}/metadata`, handler: (request, p) => retrieveMetadata(request, uids(p)) },

  { method: 'GET', pattern: `${INSTANCE}/frames/:frames`, handler: (request, p) => retrieveFrames(request, uids(p), p.frames) },
  { method: 'GET', pattern: `${INSTANCE}/bulkdata/:tag`, handler: (request, p) => retrieveBulkdata(request, uids(p), p.tag) },

  { method: 'GET', pattern: `${STUDY}/rendered`, handler: (request, p) => retrieveRendered(request, uids(p)) },
  { method: 'GET', pattern: `${SERIES}/rendered`, handler: (request, p) => retrieveRendered(request, uids(p)) },
  { method: 'GET', pattern: `${INSTANCE}/rendered`, handler: (request, p) => retrieveRendered(request, uids(p)) },
  { method: 'GET', pattern: `${INSTANCE}/frames/:frames/rendered`, handler: (request, p) => retrieveRendered(request, uids(p), p.frames) },

  { method: 'GET', pattern: `${STUDY}/thumbnail`, handler: (request, p) => retrieveThumbnail(request, uids(p)) },
  { method: 'GET', pattern: `${SERIES}/thumbnail`, handler: (request, p) => retrieveThumbnail(request, uids(p)) },
  { method: 'GET', pattern: `${INSTANCE}/thumbnail`, handler: (request, p) => retrieveThumbnail(request, uids(p)) },
  { method: 'GET', pattern: `${INSTANCE}/frames/:frames/thumbnail`, handler: (request, p) => retrieveThumbnail(request, uids(p), p.frames) },
];

export { wadoUriRoutes } from './wado-uri';
