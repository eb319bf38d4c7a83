// A key image's annotations are a copy the client sends (report-types.ts
// KeyImageAnnotation); before it is kept, each must be one drawn on that very
// image, or the PDF would print a measurement over the wrong anatomy and the
// SR would say it was SELECTED FROM an image it was not. Checked against the
// index (the instance's stored header), not the client's word:
// - the image is in the study copy;
// - the annotation's FrameOfReferenceUID is the image's ('' for both when the image has none);
// - for an image with a plane (ImagePositionPatient/ImageOrientationPatient,
//   PS3.3 C.7.6.2), it was drawn in that plane: its view-plane normal is the
//   image's normal and its handles lie on the plane — an annotation of the
//   next slice of a stack lies one slice spacing away;
// - its geometry is no larger than a live annotation's may be (MAX_GEOMETRY_BYTES).
import type { Database } from '../../prisma/database';
import { AdminError } from '../admin/errors';
import { TOOL_LABELS } from '../collab/describe-annotation';
import { MAX_GEOMETRY_BYTES } from '../consult/annotation.types';
import type { KeyImage } from './report-types';

/** How far (mm) a handle may lie off the image's plane: Cornerstone puts a stack image's handles on it, up to rounding */
const PLANE_TOLERANCE_MM = 0.5;
/** |cos| of the angle between the annotation's view-plane normal and the image's normal, at least (about 8°) */
const SAME_PLANE_COSINE = 0.99;

type DicomJson = Record<string, { Value?: unknown[] } | undefined>;

export async function checkKeyImageAnnotations(db: Database, studyRef: string, keyImages: readonly KeyImage[]): Promise<void> {
  for (const [imageIndex, image] of keyImages.entries()) {
    if (!image.annotations?.length) continue;
    const refuse = (message: string): never => {
      throw new AdminError('INVALID_INPUT', message, { keyImages: message });
    };
    const row = await db.instance.findFirst({
      where: { sopInstanceUid: image.sopUid, series: { studyRef, seriesInstanceUid: image.seriesUid } },
      select: { metadata: true, numberOfFrames: true },
    });
    if (!row) refuse(`Key image ${imageIndex + 1} is not an image of this study.`);
    const header = JSON.parse(row!.metadata) as DicomJson;
    const frameOfReferenceUid = String(header['00200052']?.Value?.[0] ?? '');
    const plane = row!.numberOfFrames === 1 ? imagePlane(header) : null;
    for (const [index, annotation] of image.annotations.entries()) {
      const what = `Key image ${imageIndex + 1}, annotation ${index + 1} (${TOOL_LABELS[annotation.tool]})`;
      if (annotation.frameOfReferenceUid !== frameOfReferenceUid) refuse(`${what} was not drawn on this image: its frame of reference is another image's.`);
      if (plane) {
        if (Math.abs(dot(annotation.viewPlaneNormal, plane.normal)) < SAME_PLANE_COSINE * norm(annotation.viewPlaneNormal)) refuse(`${what} was not drawn on this image: it lies in another plane.`);
        const tolerance = Math.min(PLANE_TOLERANCE_MM, plane.spacing / 2);
        const farthest = Math.max(...[...annotation.points, ...(annotation.polyline ?? [])].map((point) => Math.abs(dot(subtract(point, plane.origin), plane.normal))));
        if (farthest > tolerance) refuse(`${what} was not drawn on this image: it lies ${farthest.toFixed(1)} mm from this image's plane.`);
      }
      if (Buffer.byteLength(JSON.stringify(annotation)) > MAX_GEOMETRY_BYTES) refuse(`${what} is larger than ${MAX_GEOMETRY_BYTES} bytes.`);
    }
  }
}

type Vector = readonly number[];

/** The image's plane from its header, or null when it has none (e.g. a radiograph, a secondary capture) */
function imagePlane(header: DicomJson): { origin: Vector; normal: Vector; spacing: number } | null {
  const origin = numbers(header['00200032']);
  const orientation = numbers(header['00200037']);
  if (origin?.length !== 3 || orientation?.length !== 6) return null;
  const row = orientation.slice(0, 3);
  const column = orientation.slice(3, 6);
  const normal = [row[1] * column[2] - row[2] * column[1], row[2] * column[0] - row[0] * column[2], row[0] * column[1] - row[1] * column[0]];
  const length = norm(normal);
  if (!(length > 0.5)) return null;
  // Spacing Between Slices, else Slice Thickness (C.7.6.2.1.1); neither: no bound tighter than the tolerance
  const spacing = numbers(header['00180088'])?.[0] ?? numbers(header['00180050'])?.[0] ?? Infinity;
  return { origin, normal: normal.map((value) => value / length), spacing: spacing > 0 ? spacing : Infinity };
}

function numbers(element: { Value?: unknown[] } | undefined): number[] | null {
  const values = element?.Value?.map(Number);
  return values && values.every(Number.isFinite) ? values : null;
}

const dot = (a: Vector, b: Vector) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const subtract = (a: Vector, b: Vector) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const norm = (a: Vector) => Math.hypot(a[0], a[1], a[2]);
