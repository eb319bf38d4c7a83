// GET /api/audit/export?<the audit view's filters> — the matching events as
// CSV, newest first, at most AUDIT_EXPORT_LIMIT rows (X-Total-Count and
// X-Exported-Count tell when the export was cut). Administrators only, of the
// facilities they administer; everyone else gets 404. Audited (audit.export).
import { AUDIT_CSV_HEADER, auditCsvLine, csvLine } from '../../../../lib/audit/audit-csv';
import { AUDIT_EXPORT_LIMIT, countAuditEvents, resolveAuditQuery, streamAuditEvents } from '../../../../lib/audit/audit-query';
import { recordAuditAccess } from '../../../../lib/audit/record-audit-access';
import { isPolicyError } from '../../../../lib/policy';
import { getRuntime } from '../../../../lib/runtime';
import { requireApiUser } from '../../../_lib/api-session';
import { jsonError } from '../../../_lib/json-response';

export const dynamic = 'force-dynamic';

export async function GET(request: Request): Promise<Response> {
  const caller = await requireApiUser(request);
  if (caller instanceof Response) return caller;
  const runtime = getRuntime();
  const url = new URL(request.url);

  const resolved = await resolveAuditQuery(runtime, caller.user.id, url.searchParams).catch((error: unknown) => {
    if (isPolicyError(error)) return null;
    throw error;
  });
  if (!resolved) return jsonError(404, 'NOT_FOUND', 'Not found.');
  if (!resolved.ok) {
    return Response.json(
      { error: 'INVALID_FILTER', message: resolved.errors.map((error) => `${error.field}: ${error.message}`).join(' '), errors: resolved.errors },
      { status: 400, headers: { 'cache-control': 'no-store' } },
    );
  }
  const { query } = resolved;
  const total = await countAuditEvents(runtime, query);
  const exported = Math.min(total, AUDIT_EXPORT_LIMIT);
  recordAuditAccess(runtime, {
    action: 'audit.export',
    viewer: caller.user,
    query,
    sourceIp: caller.client.ip,
    resource: `${url.pathname}${url.search}`,
    results: exported,
  });

  const codes = new Map(resolved.administered.map((facility) => [facility.id, facility.code]));
  const encoder = new TextEncoder();
  const events = streamAuditEvents(runtime, query, AUDIT_EXPORT_LIMIT);
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine(AUDIT_CSV_HEADER)));
    },
    // Pulled as the client reads: a slow download does not pile rows up in memory.
    async pull(controller) {
      try {
        let chunk = '';
        for (let n = 0; n < 500; n += 1) {
          const next = await events.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += auditCsvLine(next.value, codes);
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        runtime.logger.error('audit export failed', { error: error instanceof Error ? error.message : String(error) });
        controller.error(error);
      }
    },
    async cancel() {
      await events.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replaceAll(':', '').replace('T', '-');
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="telepacs-audit-${stamp}.csv"`,
      'cache-control': 'no-store',
      'x-total-count': String(total),
      'x-exported-count': String(exported),
    },
  });
}
