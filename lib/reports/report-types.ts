// The report's vocabulary and the inputs every route, page and test share
// (STYLE.md: schemas beside the operations, reused by each door).
import { z } from 'zod';
import type { AnnotationGeometry, AnnotationToolName } from '../collab/protocol';
import { ZFrameOfReferenceUid, ZToolGeometryFields, checkToolGeometry } from '../consult/annotation.types';
import type { Runtime } from '../runtime';

export const REPORT_STATUSES = ['DRAFT', 'PRELIMINARY', 'FINAL', 'AMENDED', 'ADDENDUM'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];
/** A signed version is locked: its content never changes again */
export const SIGNED_STATUSES: readonly ReportStatus[] = ['FINAL', 'AMENDED', 'ADDENDUM'];
export const VERSION_KINDS = ['ORIGINAL', 'AMENDMENT', 'ADDENDUM'] as const;
export type VersionKind = (typeof VERSION_KINDS)[number];
/** The status a version of each kind takes when it is signed */
export const SIGNED_STATUS_OF: Record<VersionKind, ReportStatus> = { ORIGINAL: 'FINAL', AMENDMENT: 'AMENDED', ADDENDUM: 'ADDENDUM' };
/** The section an addendum writes; the signed sections before it stay as they were */
export const ADDENDUM_SECTION = { key: 'addendum', title: 'Addendum' } as const;

/** The parts of the runtime the reporting operations use (a Runtime fits; tests pass these). */
export type ReportContext = Pick<Runtime, 'db' | 'config' | 'logger' | 'shared'>;

export const MAX_SECTION_TEXT = 20_000;
const ZUid = z.string().trim().regex(/^[0-9.]{1,64}$/, 'Not a DICOM UID');

/** One section of a version as stored and shown: the template's key and title, and what was written */
export interface ReportSection {
  key: string;
  title: string;
  text: string;
  /** The option picked in the section's pick list (e.g. a severity), if any */
  pick?: string | null;
}

/** At most this many annotations travel with one key image */
export const MAX_KEY_IMAGE_ANNOTATIONS = 50;

/**
 * An annotation as it was when added to the key image (a measurement of a
 * teleconsultation, or one drawn in the report's viewer): a copy, not a link.
 * It is part of the version's content, so signing locks it and the signature's
 * hash covers it; a later edit in the consultation changes nothing here.
 * The geometry is checked by the same rules as a live annotation's
 * (lib/consult/annotation.types.ts); save-draft checks it lies on its image.
 */
export interface KeyImageAnnotation extends AnnotationGeometry {
  uid: string;
  tool: AnnotationToolName;
  /** FrameOfReferenceUID of the image it was drawn on; '' when the image has none */
  frameOfReferenceUid: string;
}

export const ZKeyImageAnnotation = z.object({ ...ZToolGeometryFields, frameOfReferenceUid: ZFrameOfReferenceUid }).superRefine(checkToolGeometry);

export const ZKeyImage = z.object({
  seriesUid: ZUid,
  sopUid: ZUid,
  frame: z.number().int().min(1).default(1),
  annotations: z.array(ZKeyImageAnnotation).max(MAX_KEY_IMAGE_ANNOTATIONS, `At most ${MAX_KEY_IMAGE_ANNOTATIONS} annotations on a key image`).optional(),
});
export type KeyImage = z.output<typeof ZKeyImage>;

/** What an editor sends: the text (and pick) of each section by key; unknown keys are refused */
export const ZSectionInput = z.object({
  key: z.string().min(1).max(64),
  text: z.string().max(MAX_SECTION_TEXT, `At most ${MAX_SECTION_TEXT} characters in a section`).default(''),
  pick: z.string().max(200).nullable().optional(),
});
export type SectionInput = z.output<typeof ZSectionInput>;

export const ZSaveDraftRequest = z.object({
  baseRevision: z.number({ error: 'Say which revision this edit is based on' }).int().min(1),
  sections: z.array(ZSectionInput).max(50).optional(),
  comparisonStudyUid: ZUid.nullable().optional(),
  keyImages: z.array(ZKeyImage).max(100).optional(),
});
export type SaveDraftRequest = z.input<typeof ZSaveDraftRequest>;

export const ZCreateReportRequest = z.object({
  templateId: z.string({ error: 'Pick a template' }).min(1, 'Pick a template'),
  /** The second-opinion case this report answers (lib/referrals): the case's own report, beside the copy's */
  referralId: z.string().trim().min(1).max(64).optional(),
});

export const ZBaseRevision = z.object({ baseRevision: z.number({ error: 'Say which revision this is based on' }).int().min(1) });

export const ZSignReportRequest = ZBaseRevision.extend({
  password: z.string({ error: 'Enter your password to sign' }).min(1, 'Enter your password to sign').max(1024),
});

export const ZNewVersionRequest = ZBaseRevision.extend({
  reason: z.string({ error: 'Give a reason' }).trim().min(1, 'Give a reason').max(2000),
  sections: z.array(ZSectionInput).max(50).optional(),
});
export type NewVersionRequest = z.input<typeof ZNewVersionRequest>;

export const ZRequestCosignatureRequest = ZBaseRevision.extend({
  signerUserId: z.string({ error: 'Choose the colleague who signs' }).min(1, 'Choose the colleague who signs').max(64),
});
export type RequestCosignatureRequest = z.input<typeof ZRequestCosignatureRequest>;
