// The job behind a consent's document (prepare-consent-document.ts wrote the
// PDF; the consent's transaction enqueued this with enqueueConsentArchive): the
// PDF filed into the patient's record in the archive as a DICOM Encapsulated
// PDF, in a study of its own, "Patient consent", as IHE BPPC files a patient's
// consent document beside their images. Any PACS or viewer that lists the
// patient then shows the evidence; a consent is not part of any imaging study.
//
// Patient: the attributes of the Consent's Patient row (PatientID and its
// issuer, name, birth date, sex as the archive first received them), filed in
// that row's facility, so the archive's one ingest path finds the same patient
// record (pacs-core/ingest.ts patientKey: facility, issuer, PatientID).
//
// Idempotent: the study, series and SOP Instance UIDs are name-based on the
// consent's id (uidForIdentifier), the content date is the consent's
// recordedAt, so every attempt builds the same object; an attempt that finds
// the archive holding it only sets Consent.archivedSopInstanceUid. The row
// with an archivedSopInstanceUid is archived.
//
// A consent deleted since (with its patient record: the relation cascades)
// or without a document (EXTERNAL) ends the job with a warning, nothing to
// retry.
import { createHash } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import type { DicomJsonDataset } from '../../../pacs-core/dicom/dicom-json';
import { buildEncapsulatedPdf } from '../../../pacs-core/dicom/report/encapsulated-pdf';
import { code } from '../../../pacs-core/dicom/sr/codes';
import { dicomDateTime } from '../../../pacs-core/dicom/sr/document-file';
import { uidForIdentifier } from '../../../pacs-core/dicom/sr/uids';
import type { Logger } from '../../../pacs-core/logger';
import type { Database, Prisma } from '../../../prisma/database';
import { enqueueJob } from '../../jobs/enqueue-job';
import { defineJob } from '../../jobs/registry';
import { ARCHIVE_CONSENT_JOB } from './prepare-consent-document';

export interface ArchiveConsentJobPayload {
  consentId: string;
}

/** LOINC 59284-0: the document class IHE BPPC gives a patient's consent */
export const CONSENT_DOCUMENT_CONCEPT = code('59284-0', 'LN', 'Consent Document');
export const CONSENT_STUDY_DESCRIPTION = 'Patient consent';

const EVIDENCE_TITLE_WORDS: Record<string, string> = { SIGNED: 'signed', SCANNED: 'scanned form', VERBAL: 'verbal' };

/** DocumentTitle: "Consent to share images (signed)", "Refusal to share images (verbal)" */
export function consentDocumentTitle(decision: string, evidenceKind: string): string {
  const what = decision === 'DENY' ? 'Refusal to share images' : 'Consent to share images';
  const how = EVIDENCE_TITLE_WORDS[evidenceKind];
  return how ? `${what} (${how})` : what;
}

/** The UIDs of a consent's object: the same at every attempt, on every node. */
export function consentDocumentUids(consentId: string): { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string } {
  return {
    studyInstanceUid: uidForIdentifier(`consent-study:${consentId}`),
    seriesInstanceUid: uidForIdentifier(`consent-series:${consentId}`),
    sopInstanceUid: uidForIdentifier(`consent-document:${consentId}`),
  };
}

/**
 * Inside the consent's transaction, after its row was written with its
 * documentKey: the job that files the document (keyed by the consent's id,
 * so enqueueing again does nothing). After the commit the caller calls
 * wakeJobRunners() (lib/jobs/job-signals.ts) so it runs at once. A consent
 * without a document (EXTERNAL) gets no job: null.
 */
export async function enqueueConsentArchive(tx: Prisma.TransactionClient, consentId: string): Promise<{ id: string; created: boolean } | null> {
  const consent = await tx.consent.findUnique({ where: { id: consentId }, select: { facilityId: true, documentKey: true } });
  if (!consent) throw new Error(`consent ${consentId} is not in this transaction: enqueue its archive job after writing the row`);
  if (!consent.documentKey) return null;
  return enqueueJob(tx, { type: ARCHIVE_CONSENT_JOB, key: consentId, payload: { consentId }, facilityId: consent.facilityId });
}

export interface ArchiveConsentContext {
  db: Database;
  archive: Archive;
  logger: Logger;
}

export type ArchiveConsentOutcome = 'stored' | 'already-stored' | 'already-marked' | 'gone' | 'no-document';

/** Files the consent's document into the patient's record (see above); what it found or did. */
export async function archiveConsentDocument({ db, archive, logger }: ArchiveConsentContext, consentId: string): Promise<ArchiveConsentOutcome> {
  const consent = await db.consent.findUnique({
    where: { id: consentId },
    select: {
      id: true,
      decision: true,
      evidenceKind: true,
      documentKey: true,
      documentSha256: true,
      archivedSopInstanceUid: true,
      recordedAt: true,
      patient: { select: { facilityId: true, patientId: true, issuer: true, name: true, birthDate: true, sex: true } },
    },
  });
  if (!consent) {
    // Deleted with its patient record (the relation cascades: pacs-core/delete-study.ts removes a
    // patient row with its last study): nothing left to file, nothing to retry
    logger.warn('consent document not archived: the consent or its patient record is no longer there', { consentId });
    return 'gone';
  }
  if (consent.archivedSopInstanceUid) return 'already-marked';
  if (!consent.documentKey || !consent.documentSha256) {
    logger.warn('consent document not archived: the consent has no document', { consentId, evidenceKind: consent.evidenceKind });
    return 'no-document';
  }
  const { patient } = consent;
  const uids = consentDocumentUids(consent.id);
  const stored = await db.instance.findFirst({ where: { sopInstanceUid: uids.sopInstanceUid, series: { study: { facilityId: patient.facilityId } } }, select: { id: true } });
  if (!stored) {
    const pdf = await archive.store.get(consent.documentKey);
    if (createHash('sha256').update(pdf).digest('hex') !== consent.documentSha256) throw new Error(`consent ${consent.id}: the stored document (${consent.documentKey}) does not match its sha256`);
    const part10 = buildEncapsulatedPdf({
      patientStudy: patientStudyAttributes(patient, consent.recordedAt),
      ...uids,
      seriesNumber: 1,
      seriesDescription: CONSENT_STUDY_DESCRIPTION,
      instanceNumber: 1,
      createdAt: consent.recordedAt,
      pdf,
      documentTitle: consentDocumentTitle(consent.decision, consent.evidenceKind),
      concept: CONSENT_DOCUMENT_CONCEPT,
    });
    await archive.ingest(Buffer.from(part10), { kind: 'import', source: `consent:${consent.id}` }, patient.facilityId);
  }
  await db.consent.updateMany({ where: { id: consent.id, archivedSopInstanceUid: null }, data: { archivedSopInstanceUid: uids.sopInstanceUid } });
  return stored ? 'already-stored' : 'stored';
}

/**
 * Patient (C.7.1.1) and General Study (C.7.2.1) of the consent's own study, in
 * DICOM JSON as the index keeps a study's. A record without a PatientID was
 * keyed by name and birth date under a synthetic issuer (ingest.ts): writing
 * that issuer would make another key, so it is left out and the archive
 * derives the same one again.
 */
function patientStudyAttributes(patient: { patientId: string; issuer: string; name: string; birthDate: string; sex: string }, recordedAt: Date): DicomJsonDataset {
  const text = (vr: string, value: string) => (value ? { vr, Value: [value] } : { vr });
  const at = dicomDateTime(recordedAt);
  return {
    '00100010': patient.name ? { vr: 'PN', Value: [{ Alphabetic: patient.name }] } : { vr: 'PN' },
    '00100020': text('LO', patient.patientId),
    ...(patient.patientId && patient.issuer ? { '00100021': text('LO', patient.issuer) } : {}),
    '00100030': text('DA', patient.birthDate),
    '00100040': text('CS', patient.sex),
    '00080020': text('DA', at.date),
    '00080030': text('TM', at.time),
    '00080050': { vr: 'SH' },
    '00080090': { vr: 'PN' },
    // StudyID: what a DICOMDIR of the patient's media lists the study by
    '00200010': text('SH', 'CONSENT'),
    '00081030': text('LO', CONSENT_STUDY_DESCRIPTION),
  };
}

export const archiveConsentJob = defineJob(ARCHIVE_CONSENT_JOB, async (payload, context) => {
  await archiveConsentDocument(context, payload.consentId);
});
