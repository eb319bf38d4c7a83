// The job behind a case's attachment (save-attachment.ts enqueues it with the
// row): the file filed into the archive as an object of the patient, in the
// case's primary study (the same Study Instance UID, so the expert's other
// tools show it with the images), a PDF as an Encapsulated PDF (DOC), a JPEG
// or PNG as a Secondary Capture Image (OT, uncompressed 8-bit RGB).
//
// Series: one per case and kind, "Second-opinion attachments" (the PDFs) and
// "Second-opinion attachments (images)": Modality is a series attribute, so
// DOC and OT objects cannot share one. Their UIDs are name-based on the
// referral and study (uidForIdentifier, the 2.25 root every document Telepacs
// writes uses), so every attachment of the case finds its series without a
// column for it; numbered after the study's highest series when made
// (reportSeries, as the teleconsultation SR and the report's documents are).
//
// Idempotent: the SOP Instance UID is name-based on the attachment and the
// study, so it is the same at every attempt; an attempt that finds the
// archive holding it only marks the row. The row's UIDs are set once the
// instance is stored: a row with a sopInstanceUid is archived.
//
// Where: the referral's facility's copy of the primary study (the study the
// ReferralStudy row points at when that facility has none), through the
// archive's one ingest path, as lib/reports stores the report's documents.
// No primary study yet: the job fails and is retried (a case is sent with its
// studies). The study deleted since: nothing to file into, the job ends with
// a warning and the attachment stays unarchived (its bytes are kept).
import { createHash } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import type { DicomJsonDataset } from '../../../pacs-core/dicom/dicom-json';
import { buildEncapsulatedPdf } from '../../../pacs-core/dicom/report/encapsulated-pdf';
import { buildSecondaryCapture, type SecondaryCaptureInput } from '../../../pacs-core/dicom/report/secondary-capture';
import { uidForIdentifier } from '../../../pacs-core/dicom/sr/uids';
import { KeyedMutex } from '../../../pacs-core/keyed-mutex';
import type { Logger } from '../../../pacs-core/logger';
import type { Database, Prisma } from '../../../prisma/database';
import { reportSeries } from '../../consult/sr-report-content';
import { defineJob } from '../../jobs/registry';
import { MAX_ARCHIVED_IMAGE_SIDE, attachmentImagePixels } from './attachment-image';
import { ARCHIVE_ATTACHMENT_JOB } from './save-attachment';

export interface ArchiveAttachmentJobPayload {
  attachmentId: string;
}

export const ATTACHMENT_SERIES_DESCRIPTION = { pdf: 'Second-opinion attachments', image: 'Second-opinion attachments (images)' } as const;
type Kind = keyof typeof ATTACHMENT_SERIES_DESCRIPTION;

export interface ArchiveAttachmentContext {
  db: Database;
  archive: Archive;
  logger: Logger;
}

// One attachment of a case at a time in this process: the case's first two
// files must not both number a new series.
const caseLocks = new KeyedMutex();

export type ArchiveAttachmentOutcome = 'stored' | 'already-stored' | 'already-marked' | 'gone' | 'study-gone';

/** Files the attachment into the archive (see above); what it found or did. */
export async function archiveReferralAttachment(context: ArchiveAttachmentContext, attachmentId: string): Promise<ArchiveAttachmentOutcome> {
  const { db } = context;
  const attachment = await db.referralAttachment.findUnique({ where: { id: attachmentId }, select: { referralId: true } });
  if (!attachment) return 'gone';
  return caseLocks.run(attachment.referralId, () => archiveLocked(context, attachmentId));
}

async function archiveLocked({ db, archive, logger }: ArchiveAttachmentContext, attachmentId: string): Promise<ArchiveAttachmentOutcome> {
  const attachment = await db.referralAttachment.findUnique({
    where: { id: attachmentId },
    select: {
      id: true,
      fileName: true,
      contentType: true,
      sha256: true,
      blobKey: true,
      createdAt: true,
      sopInstanceUid: true,
      referral: { select: { id: true, facilityId: true, studies: { where: { primary: true }, select: { studyRef: true, studyInstanceUid: true } } } },
    },
  });
  if (!attachment) return 'gone';
  if (attachment.sopInstanceUid) return 'already-marked';
  const { referral } = attachment;
  const primary = referral.studies[0];
  if (!primary) throw new Error(`referral ${referral.id} has no primary study yet: attachment ${attachment.id} is filed into the archive once it has one`);

  const studySelect = { id: true, facilityId: true, studyInstanceUid: true, attributes: true } as const;
  const study =
    (await db.study.findUnique({ where: { facilityId_studyInstanceUid: { facilityId: referral.facilityId, studyInstanceUid: primary.studyInstanceUid } }, select: studySelect })) ??
    (primary.studyRef ? await db.study.findUnique({ where: { id: primary.studyRef }, select: studySelect }) : null);
  if (!study) {
    logger.warn('referral attachment not archived: the case\'s primary study is no longer in the archive', { referralId: referral.id, attachmentId, studyInstanceUid: primary.studyInstanceUid });
    return 'study-gone';
  }

  const kind: Kind = attachment.contentType === 'application/pdf' ? 'pdf' : 'image';
  const uids = {
    studyInstanceUid: study.studyInstanceUid,
    seriesInstanceUid: uidForIdentifier(`referral-attachments:${referral.id}:${study.studyInstanceUid}:${kind}`),
    sopInstanceUid: uidForIdentifier(`referral-attachment:${attachment.id}:${study.studyInstanceUid}`),
  };
  const stored = await db.instance.findFirst({ where: { sopInstanceUid: uids.sopInstanceUid, series: { studyRef: study.id } }, select: { id: true } });
  if (!stored) {
    const bytes = await archive.store.get(attachment.blobKey);
    if (createHash('sha256').update(bytes).digest('hex') !== attachment.sha256) throw new Error(`attachment ${attachment.id}: the stored bytes (${attachment.blobKey}) do not match their sha256`);
    const series = await reportSeries(db, study.id, [{ seriesInstanceUid: uids.seriesInstanceUid }]);
    const identity = {
      patientStudy: JSON.parse(study.attributes) as DicomJsonDataset,
      ...uids,
      seriesNumber: series.seriesNumber,
      seriesDescription: ATTACHMENT_SERIES_DESCRIPTION[kind],
      instanceNumber: await instanceNumber(db, referral.id, attachment, kind),
      createdAt: attachment.createdAt,
    };
    const part10 =
      kind === 'pdf'
        ? buildEncapsulatedPdf({ ...identity, pdf: bytes, documentTitle: attachment.fileName, concept: null })
        : await secondaryCapture(identity, bytes, attachment);
    await archive.ingest(Buffer.from(part10), { kind: 'import', source: `referral:${referral.id}` }, study.facilityId);
  }
  await db.referralAttachment.updateMany({ where: { id: attachment.id, sopInstanceUid: null }, data: uids });
  return stored ? 'already-stored' : 'stored';
}

async function secondaryCapture(identity: Omit<SecondaryCaptureInput, 'rows' | 'columns' | 'rgb'>, bytes: Buffer, attachment: { fileName: string; contentType: string }): Promise<Uint8Array> {
  const pixels = await attachmentImagePixels(bytes);
  const scaled = pixels.downscaled ? `, scaled down to fit ${MAX_ARCHIVED_IMAGE_SIDE}×${MAX_ARCHIVED_IMAGE_SIDE}` : '';
  return buildSecondaryCapture({
    ...identity,
    rows: pixels.rows,
    columns: pixels.columns,
    rgb: pixels.rgb,
    comments: attachment.fileName,
    derivation: `Converted from ${attachment.contentType}${scaled}`,
    lossyMethod: attachment.contentType === 'image/jpeg' ? 'ISO_10918_1' : undefined,
  });
}

/** 1 + the case's attachments of the same kind before this one (by upload time, then id): the same at every attempt */
async function instanceNumber(db: Database, referralId: string, attachment: { id: string; createdAt: Date }, kind: Kind): Promise<number> {
  const sameKind: Prisma.ReferralAttachmentWhereInput = kind === 'pdf' ? { contentType: 'application/pdf' } : { contentType: { not: 'application/pdf' } };
  const before = await db.referralAttachment.count({
    where: { referralId, ...sameKind, OR: [{ createdAt: { lt: attachment.createdAt } }, { createdAt: attachment.createdAt, id: { lt: attachment.id } }] },
  });
  return before + 1;
}

export const archiveAttachmentJob = defineJob(ARCHIVE_ATTACHMENT_JOB, async (payload, context) => {
  await archiveReferralAttachment(context, payload.attachmentId);
});
