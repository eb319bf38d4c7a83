import { ArchiveError } from '../errors';
import type { Route, RouteHandler } from './types';

interface CompiledRoute {
  method: Route['method'];
  segments: string[];
  handler: RouteHandler;
}

/** Matches "/studies/1.2.3/series" against patterns like "/studies/:study/series". */
export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => ({
      method: route.method,
      segments: route.pattern.split('/').filter(Boolean),
      handler: route.handler,
    }));
  }

  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } {
    const parts = path.split('/').filter(Boolean);
    let pathMatched = false;
    for (const route of this.compiled) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
    }
    if (pathMatched) throw new ArchiveError('BAD_REQUEST', `${method} is not supported on ${path}`, { status: 405 });
    throw new ArchiveError('NOT_FOUND', `no DICOMweb resource at ${path}`);
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i].startsWith(':')) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return null;
      }
      params[pattern[i].slice(1)] = value;
    } else if (pattern[i] !== parts[i]) return null;
  }
  return params;
}
