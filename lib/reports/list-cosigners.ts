// The colleagues the author of a report's working version may ask to sign it
// (request-cosignature.ts): everyone who may write this study's reports
// (lib/policy/report-access.ts reportWritersOf), except the author.
import type { Principal } from '../policy/principal';
import { reportWritersOf } from '../policy/report-access';
import { loadReport, workingVersionOf } from './load-report';
import type { ReportContext } from './report-types';

export interface Cosigner {
  id: string;
  name: string;
  email: string;
}

export async function listCosigners(context: Pick<ReportContext, 'db'>, principal: Principal, reportId: string): Promise<Cosigner[]> {
  const { db } = context;
  const report = await loadReport(db, principal, reportId, 'write');
  workingVersionOf(report, principal);
  const writers = (await reportWritersOf(db, report.study)).filter((userId) => userId !== principal.userId);
  return db.user.findMany({ where: { id: { in: writers }, disabled: false }, select: { id: true, name: true, email: true }, orderBy: [{ name: 'asc' }, { email: 'asc' }] });
}
