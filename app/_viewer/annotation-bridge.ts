// Cornerstone3D annotations ⇄ the session's CollabAnnotation (lib/collab/protocol.ts).
// Reading: the tool's handles (world), the image coordinates the DICOM SR
// needs, and the statistics Cornerstone computed on this screen. Writing: a
// remote participant's annotation as a Cornerstone annotation, locked (only
// its author edits it) and drawn in the author's colour.
import { utilities as coreUtilities } from '@cornerstonejs/core';
import { annotation as annotationApi, utilities as toolUtilities } from '@cornerstonejs/tools';
import type { Types as ToolTypes } from '@cornerstonejs/tools';
import {
  isAnnotationTool,
  type AnnotationGeometry,
  type AnnotationStats,
  type AnnotationToolName,
  type CollabAnnotation,
  type ImageRef,
  type Point2,
  type Point3,
} from '../../lib/collab/protocol';

type CsAnnotation = ToolTypes.Annotation;

interface CsData {
  handles?: { points?: Point3[]; activeHandleIndex?: number | null; textBox?: unknown };
  contour?: { polyline?: Point3[]; closed?: boolean };
  label?: string;
  text?: string;
  cachedStats?: Record<string, Record<string, unknown> | undefined>;
}

const finite = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);
const round = (value: number | undefined, digits = 2) => (value === undefined ? undefined : Number(value.toFixed(digits)));
const point3 = (point: ArrayLike<number>): Point3 => [Number(point[0]), Number(point[1]), Number(point[2])];

export function toolNameOf(annotation: CsAnnotation): AnnotationToolName | null {
  const name = annotation.metadata?.toolName;
  return isAnnotationTool(name) ? name : null;
}

/** The geometry of a Cornerstone annotation, or null while it cannot be shared yet (no image, no points). */
export function readGeometry(annotation: CsAnnotation): AnnotationGeometry | null {
  const tool = toolNameOf(annotation);
  const imageId = annotation.metadata?.referencedImageId;
  if (!tool || !imageId) return null;
  const data = annotation.data as CsData;
  const points = (data.handles?.points ?? []).map(point3);
  const polyline = tool === 'PlanarFreehandROI' ? (data.contour?.polyline ?? []).map(point3) : undefined;
  const shape = polyline ?? points;
  if (!shape.length) return null;
  const imagePoints: Point2[] = [];
  for (const world of shape) {
    const image = coreUtilities.worldToImageCoords(imageId, world);
    if (!image) return null;
    imagePoints.push([Number(image[0].toFixed(3)), Number(image[1].toFixed(3))]);
  }
  const metadata = annotation.metadata as { viewPlaneNormal?: Point3; viewUp?: Point3 };
  const geometry: AnnotationGeometry = {
    points,
    imagePoints,
    viewPlaneNormal: point3(metadata.viewPlaneNormal ?? [0, 0, 1]),
    viewUp: point3(metadata.viewUp ?? [0, -1, 0]),
    stats: readStats(data),
  };
  if (polyline) geometry.polyline = polyline;
  if (tool === 'ArrowAnnotate') geometry.text = data.label ?? data.text ?? '';
  return geometry;
}

function readStats(data: CsData): AnnotationStats | undefined {
  const stats = Object.values(data.cachedStats ?? {}).find(Boolean);
  if (!stats) return undefined;
  const out: AnnotationStats = {
    length: round(finite(stats.length)),
    angle: round(finite(stats.angle)),
    area: round(finite(stats.area)),
    mean: round(finite(stats.mean)),
    stdDev: round(finite(stats.stdDev)),
    min: round(finite(stats.min)),
    max: round(finite(stats.max)),
    areaUnit: typeof stats.areaUnit === 'string' ? stats.areaUnit : undefined,
    modalityUnit: typeof stats.modalityUnit === 'string' ? stats.modalityUnit : undefined,
  };
  for (const key of Object.keys(out) as (keyof AnnotationStats)[]) if (out[key] === undefined) delete out[key];
  return Object.keys(out).length ? out : undefined;
}

/** Where an annotation was drawn, from the image id it references (our wadors: ids carry the UIDs). */
export function imageRefOf(annotation: CsAnnotation): ImageRef | null {
  const imageId = annotation.metadata?.referencedImageId ?? '';
  const match = /\/studies\/([^/]+)\/series\/([^/]+)\/instances\/([^/]+)\/frames\/(\d+)$/.exec(imageId);
  if (!match) return null;
  return {
    studyInstanceUid: match[1],
    seriesInstanceUid: match[2],
    sopInstanceUid: match[3],
    frameNumber: Number(match[4]),
    frameOfReferenceUid: annotation.metadata?.FrameOfReferenceUID ?? '',
  };
}

export function imageIdFor(ref: ImageRef): string {
  return `wadors:${window.location.origin}/dicomweb/studies/${ref.studyInstanceUid}/series/${ref.seriesInstanceUid}/instances/${ref.sopInstanceUid}/frames/${ref.frameNumber}`;
}

/** Shows (or updates) a participant's annotation. Returns false if it could not be shown. */
export function showAnnotation(remote: CollabAnnotation, editable: boolean): boolean {
  const existing = annotationApi.state.getAnnotation(remote.uid) as CsAnnotation | undefined;
  const imageId = imageIdFor(remote.ref);
  if (existing) {
    const data = existing.data as CsData;
    data.handles = { ...(data.handles ?? {}), points: remote.points.map((point) => [...point] as Point3) };
    if (remote.polyline) data.contour = { ...(data.contour ?? {}), polyline: remote.polyline.map((point) => [...point] as Point3), closed: true };
    if (remote.text !== undefined) data.label = remote.text;
    existing.invalidated = true;
  } else {
    const data: CsData & Record<string, unknown> = {
      handles: {
        points: remote.points.map((point) => [...point] as Point3),
        activeHandleIndex: null,
        textBox: { hasMoved: false, worldPosition: [0, 0, 0], worldBoundingBox: { topLeft: [0, 0, 0], topRight: [0, 0, 0], bottomLeft: [0, 0, 0], bottomRight: [0, 0, 0] } },
      },
      label: remote.text ?? '',
      cachedStats: {},
    };
    if (remote.tool === 'PlanarFreehandROI') data.contour = { polyline: (remote.polyline ?? remote.points).map((point) => [...point] as Point3), closed: true };
    const annotation = {
      annotationUID: remote.uid,
      highlighted: false,
      invalidated: true,
      isLocked: !editable,
      isVisible: true,
      metadata: {
        toolName: remote.tool,
        referencedImageId: imageId,
        FrameOfReferenceUID: remote.ref.frameOfReferenceUid,
        viewPlaneNormal: [...remote.viewPlaneNormal] as Point3,
        viewUp: [...remote.viewUp] as Point3,
      },
      data,
    } as unknown as CsAnnotation;
    annotationApi.state.addAnnotation(annotation, remote.ref.frameOfReferenceUid);
  }
  annotationApi.locking.setAnnotationLocked(remote.uid, !editable);
  colourAnnotation(remote.uid, remote.color);
  return true;
}

export function colourAnnotation(uid: string, color: string): void {
  const rgb = toRgb(color);
  annotationApi.config.style.setAnnotationStyles(uid, {
    color: rgb,
    colorHighlighted: rgb,
    colorSelected: rgb,
    colorLocked: rgb,
    textBoxColor: rgb,
    textBoxColorHighlighted: rgb,
    textBoxColorSelected: rgb,
    textBoxColorLocked: rgb,
    textBoxLinkLineColor: rgb,
    lineWidth: '2',
  } as never);
}

export function removeShownAnnotation(uid: string): void {
  if (annotationApi.state.getAnnotation(uid)) annotationApi.state.removeAnnotation(uid);
}

export function rerenderAnnotations(viewportIds: string[]): void {
  toolUtilities.triggerAnnotationRenderForViewportIds(viewportIds);
}

/** '#38bdf8' → 'rgb(56, 189, 248)' (Cornerstone's SVG takes any CSS colour; rgb() keeps its highlight maths happy) */
function toRgb(color: string): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  return match ? `rgb(${parseInt(match[1], 16)}, ${parseInt(match[2], 16)}, ${parseInt(match[3], 16)})` : color;
}
