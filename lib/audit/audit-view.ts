// What the audit view and its CSV show a privacy officer: the action in words
// (the code stays available), the person's name with their e-mail, and the
// source address readable. Rows are read by audit-query.ts; names come from
// one query per page (or per export batch), not one per row.
import type { Database } from '../../prisma/database';
import { auditActionLabel, describeDicomAuditEvent, dicomAuditEventOf } from './actions';
import type { AuditEventRow } from './audit-query';

export interface AuditEventView extends AuditEventRow {
  /** "Searched the worklist" (the code when the action is no longer written) */
  actionLabel: string;
  /** The account's name (User.name) when the actor is an account; null for an AE title, a token, anonymous */
  actorName: string | null;
  /** "this server (local)", an IPv4 address without its ::ffff: prefix, or the address as recorded */
  source: string;
  /** "110112 Query", or '' */
  dicomEvent: string;
}

export const LOCAL_SOURCE = 'this server (local)';

// RFC 4291 2.5.5.2: an IPv4 client of a dual-stack socket is seen as ::ffff:a.b.c.d
const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/** The recorded source address as a person reads it: loopback is this server; IPv4-mapped is shown as IPv4. */
export function readableSourceAddress(address: string): string {
  const ipv4 = IPV4_MAPPED.exec(address)?.[1] ?? address;
  if (ipv4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ipv4)) return LOCAL_SOURCE;
  return ipv4;
}

/** Names of the accounts behind these rows, in one query. */
export async function actorNamesOf(db: Pick<Database, 'user'>, rows: readonly AuditEventRow[], known = new Map<string, string>()): Promise<Map<string, string>> {
  const missing = [...new Set(rows.map((row) => row.actorUserId).filter((id): id is string => !!id && !known.has(id)))];
  if (missing.length) {
    const users = await db.user.findMany({ where: { id: { in: missing } }, select: { id: true, name: true } });
    for (const user of users) if (user.name.trim()) known.set(user.id, user.name.trim());
  }
  return known;
}

export function auditEventView(row: AuditEventRow, names: ReadonlyMap<string, string>): AuditEventView {
  return {
    ...row,
    actionLabel: auditActionLabel(row.action),
    actorName: row.actorUserId ? (names.get(row.actorUserId) ?? null) : null,
    source: row.sourceIp ? readableSourceAddress(row.sourceIp) : '',
    dicomEvent: describeDicomAuditEvent(dicomAuditEventOf(row)),
  };
}
