// An expert adds an addendum to a signed report: a new version (kind
// ADDENDUM) with a reason, whose signed sections stay as they were and which
// adds one Addendum section; signed like the original, it then reads ADDENDUM
// and the earlier version is kept, marked superseded.
import type { Principal } from '../policy/principal';
import { openNewVersion } from './open-new-version';
import type { ReportContext } from './report-types';
import type { ReportView } from './report-view';

export function addAddendum(context: Pick<ReportContext, 'db'>, principal: Principal, reportId: string, input: unknown): Promise<ReportView> {
  return openNewVersion(context, principal, reportId, input, 'ADDENDUM');
}
