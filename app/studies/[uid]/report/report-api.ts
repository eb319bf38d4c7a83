// The page's calls to the reporting JSON API (README "## Reporting"): one
// answer shape for the editor, the sign and amend dialogs and the picker.
import type { ReportView } from '../../../../lib/reports/report-view';

export type ApiAnswer = { ok: true; report: ReportView } | { ok: false; status: number; message: string; fields: Record<string, string>; retryAfter: number | null };

export async function callReportApi(method: 'POST' | 'PUT' | 'DELETE', url: string, body: unknown, options: { keepalive?: boolean } = {}): Promise<ApiAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), keepalive: options.keepalive });
  } catch {
    return { ok: false, status: 0, message: 'No connection to the server', fields: {}, retryAfter: null };
  }
  const answer = (await response.json().catch(() => ({}))) as { report?: ReportView; message?: string; fields?: Record<string, string> } & Partial<ReportView>;
  if (response.ok) return { ok: true, report: (answer.report ?? answer) as ReportView };
  const retryAfter = Number(response.headers.get('retry-after'));
  return {
    ok: false,
    status: response.status,
    message: answer.message ?? `The server answered ${response.status}`,
    fields: answer.fields ?? {},
    retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  };
}
