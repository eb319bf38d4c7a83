// What a signature produces (signed-artifacts.ts explains when it runs): from
// the SignedContent, the report PDF signed with the facility's certificate,
// that PDF as a DICOM Encapsulated PDF, and the text as a TID 2000 SR, both
// filed into the reported study's copy, each in a new series.
//
// Everything is made in memory first and stored last (the archive has no
// instance delete, so what was stored cannot be taken back). UIDs are new
// 2.25 UIDs at every attempt: the archive refuses a different object under an
// existing SOP Instance UID, and a second attempt's PDF differs (its signing
// time), so reusing UIDs would make every retry fail. An attempt whose
// signature is not committed therefore leaves orphans: they are logged
// ("report signature: orphan archive objects") with their UIDs, for an
// administrator to remove with the study's other objects if wanted.
//
// Study identity as the teleconsultation SR gets it (lib/consult/sr-report-content.ts):
// the index's Study.attributes copied whole, series numbers after the study's highest.
import type { DicomJsonDataset } from '../../pacs-core/dicom/dicom-json';
import { buildEncapsulatedPdf } from '../../pacs-core/dicom/report/encapsulated-pdf';
import { SECTION_HEADINGS, type SectionHeading } from '../../pacs-core/dicom/report/report-codes';
import { buildReportSr } from '../../pacs-core/dicom/report/report-sr';
import { newUid } from '../../pacs-core/dicom/sr/uids';
import type { Runtime } from '../runtime';
import { reportSeries } from '../consult/sr-report-content';
import { facilityLogo } from '../facilities/facility-logo';
import type { SignedContent } from './canonical-content';
import { facilitySigner } from './pdf/facility-signing-certificate';
import { renderReportPdf } from './pdf/render-report-pdf';
import type { ReportPdfInput } from './pdf/report-pdf-input';
import { signReportPdf } from './pdf/sign-pdf';
import { renderKeyImages } from './report-key-images';
import type { ReportSection } from './report-types';
import type { SignedArtifacts } from './signed-artifacts';

export type ArtifactsRuntime = Pick<Runtime, 'db' | 'archive' | 'config' | 'logger'>;

export const REPORT_PDF_SERIES_DESCRIPTION = 'Report (PDF)';
export const REPORT_SR_SERIES_DESCRIPTION = 'Report';

/** What a signed version keeps (ReportVersion.artifacts): the next version's SR names this one's as its predecessor */
export interface ReportArtifactsSummary extends Record<string, string> {
  pdfSeriesInstanceUid: string;
  pdfSopInstanceUid: string;
  srSeriesInstanceUid: string;
  srSopInstanceUid: string;
}

/**
 * A template's section key → the TID 2000 heading (CID 7001) it is filed
 * under; the template's title travels as the heading's equivalent meaning.
 * Keys of templates an administrator made that are none of these go under
 * Findings, with their own title.
 */
const HEADING_OF_KEY: Record<string, SectionHeading> = {
  clinical_information: 'clinicalInformation',
  clinical: 'clinicalInformation',
  history: 'history',
  indications: 'indications',
  request: 'request',
  technique: 'currentProcedure',
  procedure: 'currentProcedure',
  comparison: 'comparison',
  findings: 'findings',
  impression: 'impressions',
  impressions: 'impressions',
  recommendation: 'recommendations',
  recommendations: 'recommendations',
  conclusion: 'conclusions',
  conclusions: 'conclusions',
  addendum: 'addendum',
  summary: 'summary',
};

export function sectionHeading(key: string): SectionHeading {
  const heading = HEADING_OF_KEY[key] ?? key;
  return heading in SECTION_HEADINGS && heading !== 'keyImages' ? (heading as SectionHeading) : 'findings';
}

/** A section's text as printed and filed: the pick (e.g. the severity) first, when one was made */
export function sectionText(section: ReportSection): string {
  return [section.pick?.trim(), section.text.trim()].filter(Boolean).join('\n');
}

export async function produceReportArtifacts(runtime: ArtifactsRuntime, content: SignedContent & { contentSha256: string }): Promise<SignedArtifacts> {
  const { db, archive, logger } = runtime;
  const signedAt = new Date(content.signedAt);
  const study = await db.study.findUniqueOrThrow({
    where: { facilityId_studyInstanceUid: { facilityId: content.facilityId, studyInstanceUid: content.studyInstanceUid } },
    select: { id: true, attributes: true, studyDate: true, accessionNumber: true, description: true, referringPhysician: true, modalities: true, patient: { select: { patientId: true, name: true, sex: true, birthDate: true } } },
  });
  const facility = await db.facility.findUniqueOrThrow({ where: { id: content.facilityId }, select: { name: true, address: true, phone: true, reportLanguage: true } });
  const report = await db.report.findUniqueOrThrow({
    where: { id: content.reportId },
    select: { templateId: true, versions: { where: { version: { in: [content.version, content.predecessor?.version ?? 0] } }, select: { version: true, authorId: true, artifacts: true } } },
  });
  const working = report.versions.find((version) => version.version === content.version);
  const author = working ? await db.user.findUnique({ where: { id: working.authorId }, select: { name: true, email: true } }) : null;
  const template = report.templateId ? await db.reportTemplate.findUnique({ where: { id: report.templateId }, select: { name: true } }) : null;
  const documentTitle = template ? `${template.name} report` : 'Imaging report';
  const predecessorArtifacts = parseSummary(report.versions.find((version) => version.version === content.predecessor?.version)?.artifacts);

  // The PDF, signed
  const keyImages = await renderKeyImages(archive, study.id, content.keyImages);
  const logo = await facilityLogo(db, content.facilityId);
  const sections = content.sections.map((section) => ({ ...section, text: sectionText(section) })).filter((section) => section.text !== '');
  const pdfInput: ReportPdfInput = {
    documentTitle,
    facility: { name: facility.name, address: facility.address, phone: facility.phone, logo: logo?.bytes ?? null },
    patient: { name: study.patient.name, mrn: study.patient.patientId, birthDate: study.patient.birthDate, sex: study.patient.sex },
    study: { description: study.description, date: study.studyDate, accession: study.accessionNumber, modalities: study.modalities.split('\\').filter(Boolean) },
    referringPhysician: study.referringPhysician,
    sections: sections.map(({ title, text }) => ({ title, text })),
    comparisonStudyLabel: await comparisonLabel(runtime, content),
    keyImages: keyImages.printed,
    status: content.status === 'DRAFT' || content.status === 'PRELIMINARY' ? 'FINAL' : content.status,
    version: content.version,
    amendment: content.predecessor ? { reason: content.reason ?? '', supersededNote: `Supersedes version ${content.predecessor.version}` } : null,
    // A co-signed report names its author as well as the colleague who signed it
    signature: { signerName: content.signer.name, signedAt, ...(working && author && working.authorId !== content.signer.id ? { authorName: author.name || author.email } : {}) },
  };
  const signer = await facilitySigner(runtime.config.dataDir, content.facilityId, facility.name);
  const pdf = await signReportPdf(await renderReportPdf(pdfInput), { p12: signer.p12, passphrase: signer.passphrase, signerName: content.signer.name, location: facility.name, signingTime: signedAt });

  // Both DICOM objects, each in a new series after the study's highest
  const patientStudy = JSON.parse(study.attributes) as DicomJsonDataset;
  const pdfSeries = await reportSeries(db, study.id, []);
  const summary: ReportArtifactsSummary = {
    pdfSeriesInstanceUid: pdfSeries.seriesInstanceUid,
    pdfSopInstanceUid: newUid(),
    srSeriesInstanceUid: newUid(),
    srSopInstanceUid: newUid(),
  };
  const identity = { patientStudy, studyInstanceUid: content.studyInstanceUid, instanceNumber: 1, createdAt: signedAt };
  const encapsulated = buildEncapsulatedPdf({
    ...identity,
    seriesInstanceUid: summary.pdfSeriesInstanceUid,
    seriesNumber: pdfSeries.seriesNumber,
    seriesDescription: REPORT_PDF_SERIES_DESCRIPTION,
    sopInstanceUid: summary.pdfSopInstanceUid,
    pdf,
    documentTitle,
  });
  const sr = buildReportSr({
    ...identity,
    seriesInstanceUid: summary.srSeriesInstanceUid,
    seriesNumber: pdfSeries.seriesNumber + 1,
    seriesDescription: REPORT_SR_SERIES_DESCRIPTION,
    sopInstanceUid: summary.srSopInstanceUid,
    status: 'final',
    author: author?.name || author?.email || content.signer.name,
    organization: facility.name,
    // The facility's setting: the report's text is written in it (the template's headings may be English; TID 1210 gives their meaning)
    language: facility.reportLanguage,
    signer: { name: content.signer.name, signedAt },
    sections: sections.map((section) => ({ heading: sectionHeading(section.key), title: section.title, text: section.text })),
    keyImages: keyImages.references,
    predecessor: predecessorArtifacts ? { seriesInstanceUid: predecessorArtifacts.srSeriesInstanceUid, sopInstanceUid: predecessorArtifacts.srSopInstanceUid } : undefined,
  });

  // Stored last, through the archive's one ingest path
  const orphans = () => logger.error('report signature: orphan archive objects (the signature was not committed; there is no instance delete)', { reportId: content.reportId, version: content.version, studyInstanceUid: content.studyInstanceUid, ...summary });
  const origin = { kind: 'import', source: `report:${content.reportId}` } as const;
  await archive.ingest(Buffer.from(encapsulated), origin, content.facilityId);
  try {
    await archive.ingest(Buffer.from(sr), origin, content.facilityId);
  } catch (error) {
    orphans();
    throw error;
  }
  return { summary, discard: async () => orphans() };
}

function parseSummary(text: string | null | undefined): ReportArtifactsSummary | null {
  if (!text) return null;
  const parsed = JSON.parse(text) as Partial<ReportArtifactsSummary>;
  return parsed.srSeriesInstanceUid && parsed.srSopInstanceUid ? (parsed as ReportArtifactsSummary) : null;
}

/** "CT head, 20260110, ACC 123" for the prior study the report compares with (the same facility's copy) */
async function comparisonLabel(runtime: ArtifactsRuntime, content: SignedContent): Promise<string | null> {
  if (!content.comparisonStudyUid) return null;
  const prior = await runtime.db.study.findUnique({
    where: { facilityId_studyInstanceUid: { facilityId: content.facilityId, studyInstanceUid: content.comparisonStudyUid } },
    select: { description: true, studyDate: true, accessionNumber: true },
  });
  if (!prior) return content.comparisonStudyUid;
  return [prior.description || 'Study', prior.studyDate, prior.accessionNumber && `ACC ${prior.accessionNumber}`].filter(Boolean).join(', ');
}
