// What the FHIR operations take: the database, the audit queue, and the
// origin (scheme://host) the links in the answers start with; the sockets
// (io) when a change tells the portal's pages (a case created by a hospital system);
// the archive where a consent's scanned form is kept (POST /fhir/Consent).
import type { Runtime } from '../runtime';

export type FhirContext = Pick<Runtime, 'db' | 'config' | 'logger' | 'shared' | 'io' | 'archive'> & { origin: string };

/** PUBLIC_URL when set; otherwise the scheme and Host of the request (the server accepts only its own Hosts) */
export function fhirOrigin(config: Pick<Runtime['config'], 'publicUrl'>, request: Request): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const proto = request.headers.get('x-forwarded-proto') === 'https' ? 'https' : 'http';
  return `${proto}://${request.headers.get('host') ?? new URL(request.url).host}`;
}
