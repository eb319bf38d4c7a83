// An expert amends a signed report: a new version (kind AMENDMENT) with a
// reason, starting from the signed text, written and then signed like the
// original; once signed the report reads AMENDED and the earlier version is
// kept, marked superseded (open-new-version.ts, sign-report.ts).
import type { Principal } from '../policy/principal';
import { openNewVersion } from './open-new-version';
import type { ReportContext } from './report-types';
import type { ReportView } from './report-view';

export function amendReport(context: Pick<ReportContext, 'db'>, principal: Principal, reportId: string, input: unknown): Promise<ReportView> {
  return openNewVersion(context, principal, reportId, input, 'AMENDMENT');
}
