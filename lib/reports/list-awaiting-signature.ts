// The reports waiting for the caller's signature (co-signature,
// request-cosignature.ts), oldest request first: shown on the worklist. A
// request whose study the caller can no longer write (a revoked grant, a
// deleted copy) is left out, as loadReport decides.
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import { loadReport } from './load-report';
import type { ReportContext, ReportStatus } from './report-types';

export interface AwaitingSignature {
  reportId: string;
  studyInstanceUid: string;
  /** A second-opinion case's report (its page takes ?referral=), or null */
  referralId: string | null;
  patientName: string;
  patientId: string;
  studyDescription: string;
  status: ReportStatus;
  version: number;
  author: { id: string; name: string };
  requestedAt: string;
}

export async function listAwaitingSignature(context: Pick<ReportContext, 'db'>, principal: Principal): Promise<AwaitingSignature[]> {
  const { db } = context;
  const rows = await db.report.findMany({
    where: { signerRequestedUserId: principal.userId, studyRef: { not: null } },
    orderBy: { signerRequestedAt: 'asc' },
    select: { id: true, study: { select: { description: true, patient: { select: { name: true } } } } },
  });
  const waiting: AwaitingSignature[] = [];
  for (const row of rows) {
    const report = await loadReport(db, principal, row.id, 'write').catch((error: unknown) => {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') return null;
      throw error;
    });
    if (!report?.working || !report.signerRequest) continue;
    const author = await db.user.findUnique({ where: { id: report.working.authorId }, select: { id: true, name: true, email: true } });
    waiting.push({
      reportId: report.id,
      studyInstanceUid: report.study.studyInstanceUid,
      referralId: report.referralId,
      patientName: row.study?.patient.name ?? '',
      patientId: report.study.patientId,
      studyDescription: row.study?.description ?? '',
      status: report.working.status,
      version: report.working.version,
      author: { id: report.working.authorId, name: author?.name || author?.email || '' },
      requestedAt: report.signerRequest.requestedAt.toISOString(),
    });
  }
  return waiting;
}
