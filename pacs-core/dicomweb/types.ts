import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Principal } from '../access';
import type { Archive } from '../archive';
import type { StowLimits, UploadGate } from './stow-limits';

/** A DICOMweb request after authentication, independent of Next or node:http. */
export interface DicomwebRequest {
  method: string;
  /** Path below the DICOMweb root, e.g. "/studies/1.2.3/series" */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The request body (only STOW-RS reads it) */
  body: Readable;
  principal: Principal;
  /** Absolute URL of the DICOMweb root as the client sees it, e.g. "http://host:3000/dicomweb" (for RetrieveURL, BulkDataURI) */
  baseUrl: string;
  archive: Archive;
  /** STOW-RS limits and the per-user count of uploads in progress (defaults when absent) */
  stow?: { limits: StowLimits; gate: UploadGate };
}

export type ResponseBody = Buffer | string | Readable | AsyncIterable<Buffer> | undefined;

export interface DicomwebResponse {
  status: number;
  headers?: Record<string, string>;
  body?: ResponseBody;
}

export type RouteHandler = (request: DicomwebRequest, params: Record<string, string>) => Promise<DicomwebResponse>;

/** A route: method + path pattern with :name segments, e.g. "/studies/:study/series". */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: string;
  handler: RouteHandler;
}
