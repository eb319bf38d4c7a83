// Gathers what an ORU^R01 of one signed report version says (build-oru.ts
// writes it): the patient as the archive holds it now, the study, the order
// the study was done for, the version's text and signer, the signed PDF from
// the archive. Read at each attempt, so a retry carries the HIS's latest
// demographics and the destination the administrator fixed meanwhile.
import { extractEncapsulatedDocument } from '../../../pacs-core/dicom/report/extract-encapsulated-document';
import { SECTION_HEADINGS } from '../../../pacs-core/dicom/report/report-codes';
import type { Archive } from '../../../pacs-core/archive';
import type { Database } from '../../../prisma/database';
import type { Config } from '../../config/config';
import { sectionHeading, sectionText } from '../../reports/produce-report-artifacts';
import { pdfSopInstanceUidOf } from '../../reports/report-pdf';
import type { ReportSection } from '../../reports/report-types';
import type { OruInput } from './build-oru';

/** A larger signed PDF is not embedded (OBX ED): the portal link remains. 4 MiB is ~5.6 MB of Base64, far inside MLLP limits RISs use. */
export const MAX_EMBEDDED_PDF_BYTES = 4 * 1024 * 1024;

export type OruContent = Omit<OruInput, 'controlId' | 'now' | 'receivingApplication' | 'receivingFacility'> & {
  patientRef: string;
  orderRef: string | null;
  studyInstanceUid: string;
  /** Why the PDF was left out, when it was */
  pdfNote: string;
};

export async function loadOruContent(
  context: { db: Database; archive: Archive; config: Pick<Config, 'hl7' | 'publicUrl'> },
  reportId: string,
  versionNumber: number,
): Promise<OruContent> {
  const { db } = context;
  const report = await db.report.findUniqueOrThrow({ where: { id: reportId }, select: { facilityId: true, studyInstanceUid: true, studyRef: true } });
  const version = await db.reportVersion.findUniqueOrThrow({
    where: { reportId_version: { reportId, version: versionNumber } },
    select: { kind: true, reason: true, sections: true, signedAt: true, signedById: true, artifacts: true },
  });
  if (!version.signedAt) throw new Error(`version ${versionNumber} of report ${reportId} is not signed`);
  if (!report.studyRef) throw new Error(`the study of report ${reportId} is no longer in the archive`);
  const study = await db.study.findUniqueOrThrow({
    where: { id: report.studyRef },
    select: { id: true, description: true, studyDate: true, studyTime: true, accessionNumber: true, patient: { select: { id: true, patientId: true, issuer: true, name: true, sex: true, birthDate: true } } },
  });
  const facility = await db.facility.findUniqueOrThrow({ where: { id: report.facilityId }, select: { code: true } });
  const signer = version.signedById ? await db.user.findUnique({ where: { id: version.signedById }, select: { name: true, email: true } }) : null;
  const order = await orderOf(db, report.facilityId, { id: study.id, studyInstanceUid: report.studyInstanceUid, accessionNumber: study.accessionNumber });

  const sections = (JSON.parse(version.sections) as ReportSection[])
    .map((section) => ({ section, text: sectionText(section) }))
    .filter(({ text }) => text !== '')
    .map(({ section, text }) => {
      const heading = SECTION_HEADINGS[sectionHeading(section.key)];
      return { code: { value: heading.CodeValue, scheme: heading.CodingSchemeDesignator, meaning: heading.CodeMeaning }, title: section.title, text };
    });
  const { pdf, note } = await signedPdf(context, study.id, version.artifacts);
  const publicUrl = context.config.publicUrl;
  return {
    sendingApplication: context.config.hl7.application,
    sendingFacility: facility.code,
    patient: study.patient,
    patientRef: study.patient.id,
    order: order && {
      placerOrderNumber: order.placerOrderNumber,
      fillerOrderNumber: order.fillerOrderNumber,
      procedureCode: order.requestedProcedureCode,
      procedureText: order.requestedProcedureText,
      procedureScheme: order.requestedProcedureScheme,
      requestingPhysician: order.requestingPhysician || order.referringPhysician,
    },
    orderRef: order?.id ?? null,
    study: { description: study.description, studyDate: study.studyDate, studyTime: study.studyTime, accessionNumber: study.accessionNumber || order?.accessionNumber || '' },
    studyInstanceUid: report.studyInstanceUid,
    resultStatus: version.kind === 'ORIGINAL' ? 'F' : 'C',
    signedAt: version.signedAt,
    signerName: signer?.name || signer?.email || '',
    reason: version.reason,
    sections,
    link: publicUrl ? `${publicUrl}/studies/${encodeURIComponent(report.studyInstanceUid)}/report?version=${versionNumber}` : null,
    pdf,
    pdfNote: note,
  };
}

/**
 * The order the study was done for, in the report's facility: the one the
 * images were linked to, else one with the study's UID, else its accession
 * number; a cancelled one only when nothing else matches.
 */
async function orderOf(db: Database, facilityId: string, study: { id: string; studyInstanceUid: string; accessionNumber: string }) {
  const { studyInstanceUid } = study;
  const candidates = await db.imagingOrder.findMany({
    where: { facilityId, OR: [{ studyRef: study.id }, { studyInstanceUid }, ...(study.accessionNumber ? [{ accessionNumber: study.accessionNumber }] : [])] },
    orderBy: { createdAt: 'asc' },
  });
  const rank = (order: (typeof candidates)[number]) => (order.status === 'CANCELLED' ? 10 : 0) + (order.studyRef === study.id ? 0 : order.studyInstanceUid === studyInstanceUid ? 1 : 2);
  return candidates.sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

async function signedPdf(context: { db: Database; archive: Archive }, studyRef: string, artifacts: string | null): Promise<{ pdf: Buffer | null; note: string }> {
  const sopInstanceUid = pdfSopInstanceUidOf(artifacts);
  if (!sopInstanceUid) return { pdf: null, note: 'no signed PDF was stored for this version' };
  const instance = await context.db.instance.findFirst({ where: { sopInstanceUid, series: { studyRef } }, select: { blobKey: true } });
  if (!instance) return { pdf: null, note: 'the signed PDF is no longer in the archive' };
  const { document, mimeType } = extractEncapsulatedDocument(await context.archive.store.get(instance.blobKey));
  if (mimeType !== 'application/pdf') return { pdf: null, note: 'the stored document is not a PDF' };
  if (document.length > MAX_EMBEDDED_PDF_BYTES) return { pdf: null, note: `the signed PDF (${document.length} bytes) is larger than ${MAX_EMBEDDED_PDF_BYTES} bytes: sent without it` };
  return { pdf: document, note: '' };
}
