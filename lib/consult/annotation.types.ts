// What a browser may send as an annotation (CollabAnnotationInput in
// lib/collab/protocol.ts), checked before anything is stored: the geometry is
// kept with the study and written into a DICOM SR later, so a wrong number
// of handles or a huge contour must be refused at the door, not found at export.
import { z } from 'zod';
import { ANNOTATION_TOOLS, MAX_COLLAB_MESSAGE_BYTES, type AnnotationGeometry, type AnnotationToolName, type CollabAnnotation, type CollabAnnotationInput } from '../collab/protocol';

/** A freehand contour of a few thousand points; the serialized geometry is bounded as well. */
export const MAX_ANNOTATION_POINTS = 5000;
export const MAX_ANNOTATION_TEXT_LENGTH = 1000;
/** The stored geometry fits in one relay message (MAX_COLLAB_MESSAGE_BYTES), so every path can carry it. */
export const MAX_GEOMETRY_BYTES = MAX_COLLAB_MESSAGE_BYTES;
// version is an Int column (PostgreSQL int4); a removal adds one more.
const MAX_VERSION = 2_147_483_646;

// Cornerstone's annotationUID is a UUID; anything id-like and short is accepted.
export const ZAnnotationUid = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'not an annotation id');
// PS3.5 9.1: digits and dots, at most 64 characters
const ZDicomUid = z.string().regex(/^[0-9.]{1,64}$/, 'not a DICOM UID');
/** FrameOfReferenceUID of the image an annotation was drawn on; '' when the image has none */
export const ZFrameOfReferenceUid = z.union([z.literal(''), ZDicomUid]);

export const ZPoint2 = z.tuple([z.number(), z.number()]);
export const ZPoint3 = z.tuple([z.number(), z.number(), z.number()]);
const ZShortText = z.string().max(16);

export const ZAnnotationStats = z.object({
  length: z.number().optional(),
  angle: z.number().optional(),
  area: z.number().optional(),
  areaUnit: ZShortText.optional(),
  mean: z.number().optional(),
  stdDev: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  modalityUnit: ZShortText.optional(),
});

/** Handles per tool (protocol.ts AnnotationGeometry.points); PlanarFreehandROI is a contour instead. */
const HANDLE_COUNT: Record<Exclude<AnnotationToolName, 'PlanarFreehandROI'>, number> = {
  Length: 2,
  ArrowAnnotate: 2,
  Angle: 3,
  EllipticalROI: 4,
  RectangleROI: 4,
};

/** The fields of an AnnotationGeometry (protocol.ts) with the tool that drew it, as every door checks them. */
export const ZToolGeometryFields = {
  uid: ZAnnotationUid,
  tool: z.enum(ANNOTATION_TOOLS),
  points: z.array(ZPoint3).max(MAX_ANNOTATION_POINTS),
  polyline: z.array(ZPoint3).max(MAX_ANNOTATION_POINTS).optional(),
  imagePoints: z.array(ZPoint2).max(MAX_ANNOTATION_POINTS),
  viewPlaneNormal: ZPoint3,
  viewUp: ZPoint3,
  text: z.string().max(MAX_ANNOTATION_TEXT_LENGTH).optional(),
  stats: ZAnnotationStats.optional(),
};

/** The handle (or contour point) count each tool needs, for a superRefine over ZToolGeometryFields. */
export function checkToolGeometry(annotation: AnnotationGeometry & { tool: AnnotationToolName }, context: z.RefinementCtx): void {
  if (annotation.tool === 'PlanarFreehandROI') {
    // A closed contour needs three points; the SR's POLYLINE is made from imagePoints.
    if ((annotation.polyline?.length ?? 0) < 3) context.addIssue({ code: 'custom', path: ['polyline'], message: 'a freehand contour needs at least 3 points' });
    if (annotation.imagePoints.length < 3) context.addIssue({ code: 'custom', path: ['imagePoints'], message: 'a freehand contour needs at least 3 points' });
    return;
  }
  const handles = HANDLE_COUNT[annotation.tool];
  if (annotation.points.length !== handles) context.addIssue({ code: 'custom', path: ['points'], message: `${annotation.tool} has ${handles} handles` });
  if (annotation.imagePoints.length !== handles) context.addIssue({ code: 'custom', path: ['imagePoints'], message: `${annotation.tool} has ${handles} handles` });
}

export const ZCollabAnnotationInput = z
  .object({
    ...ZToolGeometryFields,
    version: z.number().int().min(1).max(MAX_VERSION),
    ref: z.object({
      studyInstanceUid: ZDicomUid,
      seriesInstanceUid: ZDicomUid,
      sopInstanceUid: ZDicomUid,
      frameNumber: z.number().int().min(1).max(1_000_000),
      frameOfReferenceUid: ZFrameOfReferenceUid,
    }),
  })
  .superRefine(checkToolGeometry);

export type TCollabAnnotationInput = z.output<typeof ZCollabAnnotationInput>;

/** The geometry part of an input, as stored in ConsultationAnnotation.geometry (JSON text). */
export function geometryOf(input: CollabAnnotationInput): AnnotationGeometry {
  const { points, polyline, imagePoints, viewPlaneNormal, viewUp, text, stats } = input;
  // Absent optional fields stay absent (not `undefined`), as JSON will have them
  return { points, ...(polyline && { polyline }), imagePoints, viewPlaneNormal, viewUp, ...(text !== undefined && { text }), ...(stats && { stats }) };
}

/** The columns of a ConsultationAnnotation row that make a CollabAnnotation. */
export interface AnnotationRow {
  id: string;
  authorUserId: string;
  toolName: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  frameNumber: number;
  frameOfReferenceUid: string;
  geometry: string;
  version: number;
  updatedAt: Date;
}

export function toCollabAnnotation(row: AnnotationRow, author: { name: string; color: string }): CollabAnnotation {
  const geometry = JSON.parse(row.geometry) as AnnotationGeometry;
  return {
    ...geometry,
    uid: row.id,
    // Written only after ZCollabAnnotationInput accepted the tool
    tool: row.toolName as AnnotationToolName,
    ref: {
      studyInstanceUid: row.studyInstanceUid,
      seriesInstanceUid: row.seriesInstanceUid,
      sopInstanceUid: row.sopInstanceUid,
      frameNumber: row.frameNumber,
      frameOfReferenceUid: row.frameOfReferenceUid,
    },
    authorUserId: row.authorUserId,
    authorName: author.name,
    color: author.color,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
  };
}
