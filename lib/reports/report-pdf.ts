// A signed version's PDF, as stored in the archive: the Encapsulated PDF
// instance signing put in the study (produce-report-artifacts.ts records its
// SOP Instance UID in the version's artifacts, `pdfSopInstanceUid`). The bytes
// are the ones signed, taken out of the stored DICOM file (not rendered again),
// so the download verifies with the facility's signature. Who may: the report
// read rule (load-report.ts); audited report.download (DICOM 110106).
import { extractEncapsulatedDocument } from '../../pacs-core/dicom/report/extract-encapsulated-document';
import { auditQueueFor } from '../audit/audit-queue';
import { DomainError } from '../errors';
import type { Principal } from '../policy/principal';
import type { Runtime } from '../runtime';
import { loadReport } from './load-report';
import { reportAuditEvent } from './report-audit';
import type { ReportContext } from './report-types';

export interface ReportPdf {
  bytes: Buffer;
  filename: string;
  version: number;
}

/** The PDF's SOP Instance UID recorded on a signed version, or null */
export function pdfSopInstanceUidOf(artifacts: string | null): string | null {
  if (!artifacts) return null;
  try {
    const parsed = JSON.parse(artifacts) as { pdfSopInstanceUid?: unknown };
    return typeof parsed.pdfSopInstanceUid === 'string' && parsed.pdfSopInstanceUid ? parsed.pdfSopInstanceUid : null;
  } catch {
    return null;
  }
}

function noPdf(message: string): DomainError {
  return new DomainError('NOT_FOUND', message, { userMessage: message });
}

/** version: the one asked for; without it the newest signed version the caller sees */
export async function reportPdf(context: ReportContext & Pick<Runtime, 'archive'>, principal: Principal, reportId: string, options: { version?: number } = {}): Promise<ReportPdf> {
  const report = await loadReport(context.db, principal, reportId, 'read');
  const signed = report.versions.filter((version) => version.signedAt);
  const chosen = options.version === undefined ? signed[signed.length - 1] : report.versions.find((version) => version.version === options.version);
  if (options.version !== undefined && !chosen) throw new DomainError('NOT_FOUND', 'report version not found', { userMessage: 'Not found.' });
  if (!chosen) throw noPdf('This report is not signed yet: there is no PDF.');
  if (!chosen.signedAt) throw noPdf(`Version ${chosen.version} of this report is not signed: there is no PDF.`);
  const row = await context.db.reportVersion.findUnique({ where: { id: chosen.id }, select: { artifacts: true } });
  const sopInstanceUid = pdfSopInstanceUidOf(row?.artifacts ?? null);
  if (!sopInstanceUid) throw noPdf(`No PDF was stored for version ${chosen.version} of this report.`);
  const instance = await context.db.instance.findFirst({
    where: { sopInstanceUid, series: { studyRef: report.study.id } },
    select: { blobKey: true, series: { select: { study: { select: { studyDate: true } } } } },
  });
  if (!instance) throw noPdf(`The PDF of version ${chosen.version} is no longer in the archive.`);
  const { document, mimeType } = extractEncapsulatedDocument(await context.archive.store.get(instance.blobKey));
  if (mimeType !== 'application/pdf' || document.subarray(0, 5).toString('latin1') !== '%PDF-') {
    throw noPdf(`The stored document of version ${chosen.version} is not a PDF.`);
  }
  auditQueueFor(context).enqueue(reportAuditEvent(principal, report, 'report.download', { version: chosen.version, format: 'pdf' }));
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '');
  const parts = ['report', safe(report.study.patientId), safe(instance.series.study.studyDate), `v${chosen.version}`].filter(Boolean);
  return { bytes: document, filename: `${parts.join('-')}.pdf`, version: chosen.version };
}
