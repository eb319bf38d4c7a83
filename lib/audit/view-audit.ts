// The audit view and its CSV export, for the signed-in viewer: the facilities
// they administer decide what they see (NOT_FOUND for everyone else, from
// resolveAuditQuery), and reading the trail is itself recorded.
import type { Logger } from '../../pacs-core/logger';
import type { Database } from '../../prisma/database';
import { AUDIT_EXPORT_LIMIT, countAuditEvents, findAuditEventPage, resolveAuditQuery, streamAuditEvents, type AuditEventPage, type AuditQuery, type AuditQueryResult } from './audit-query';
import type { AuditEventView } from './audit-view';
import { recordAuditAccess } from './record-audit-access';

type AuditViewContext = { db: Database; logger: Logger; shared: Map<string, unknown> };
type AuditViewer = { id: string; email: string };
/** Where the viewer reads from, for the audit trail of the audit trail */
type AuditReading = { sourceIp: string; resource: string };

/** The viewer's filters checked against what they may see (NOT_FOUND when they administer nothing). */
export async function resolveAuditView(context: { db: Database }, viewer: Pick<AuditViewer, 'id'>, params: Parameters<typeof resolveAuditQuery>[2]): Promise<AuditQueryResult> {
  return resolveAuditQuery(context, viewer.id, params);
}

/** One page of a resolved query, recorded as audit.view. */
export async function viewAuditEventPage(context: AuditViewContext, viewer: AuditViewer, query: AuditQuery, reading: AuditReading): Promise<AuditEventPage> {
  const page = await findAuditEventPage(context, query);
  recordAuditAccess(context, { action: 'audit.view', viewer, query, ...reading, results: page.events.length });
  return page;
}

export interface AuditExport {
  /** Events matching the filters */
  total: number;
  /** At most AUDIT_EXPORT_LIMIT of them */
  exported: number;
  events: AsyncGenerator<AuditEventView>;
}

/** The events of a resolved query, newest first, recorded as audit.export. */
export async function exportAuditEvents(context: AuditViewContext, viewer: AuditViewer, query: AuditQuery, reading: AuditReading): Promise<AuditExport> {
  const total = await countAuditEvents(context, query);
  const exported = Math.min(total, AUDIT_EXPORT_LIMIT);
  recordAuditAccess(context, { action: 'audit.export', viewer, query, ...reading, results: exported });
  return { total, exported, events: streamAuditEvents(context, query, AUDIT_EXPORT_LIMIT) };
}
