// One TID 1501 Measurement Group per annotation, shaped the way the
// Cornerstone3D adapters (@cornerstonejs/adapters 4.x, as bundled in OHIF
// 3.13: adapters/Cornerstone3D/<Tool>.js over dcmjs's TID 300 classes) write
// it, so that OHIF shows the group and re-creates the tool ("hydrates" it):
//
//   CONTAINER (125007, DCM, "Measurement Group")
//     HAS OBS CONTEXT TEXT   Tracking Identifier  "Cornerstone3DTools@^0.1.0:<ToolName>"  ← picks the adapter
//     HAS OBS CONTEXT UIDREF Tracking Unique Identifier (the annotation's UID)
//     HAS OBS CONTEXT        Observer Type = Person, Person Observer Name (TID 1002: who drew it)
//     CONTAINS NUM ...       the first NUM holds the geometry:  ← the adapters look for it there
//       INFERRED FROM SCOORD <graphic type> (column,row…)
//         SELECTED FROM IMAGE (SOP Class, SOP Instance[, frame])
//     CONTAINS NUM ...       the other values (TID 300), in the adapters' order
//     CONTAINS TEXT (121106, DCM, "Comment")  the arrow's text (the adapters' LabelData)
//
// Geometry per tool (PS3.3 C.18.6.1.2), in image coordinates:
//   Length         POLYLINE 2 points                       NUM Length (mm)
//   Angle          POLYLINE 4 points p1, vertex, vertex, p3 NUM Cobb angle (deg) — dcmjs TID 300 CobbAngle
//   ArrowAnnotate  POLYLINE 2 points head, tail            NUM Center = 0 (no units), TEXT Comment
//   EllipticalROI  ELLIPSE 4 points: major axis, then minor axis; NUMs Area, Maximum, Minimum, Mean, SD
//   RectangleROI   POLYLINE 5 points, closed: c0 c1 c3 c2 c0 (Cornerstone's handle order); NUMs as ellipse
//   PlanarFreehandROI POLYLINE, the contour closed by repeating its first point; NUMs as ellipse
import { CODES, UNITS, areaUnitCode, modalityUnitCode, type Code } from './codes';
import { codeItem, container, numItem, personNameItem, scoordItem, textItem, uidRefItem, type ContentItem, type GraphicType, type ImageReference } from './content-items';
import { uidForIdentifier } from './uids';

/** The Cornerstone3D tool names the report knows (lib/collab/protocol.ts ANNOTATION_TOOLS). */
export const MEASUREMENT_TOOLS = ['Length', 'Angle', 'ArrowAnnotate', 'EllipticalROI', 'RectangleROI', 'PlanarFreehandROI'] as const;
export type MeasurementTool = (typeof MEASUREMENT_TOOLS)[number];

/** Cornerstone3D adapters' tracking identifier prefix (adapters/Cornerstone3D/cornerstone3DTag.js). */
export const CORNERSTONE_3D_TAG = 'Cornerstone3DTools@^0.1.0';

export type Point2 = readonly [number, number];
export type Point3 = readonly [number, number, number];

/** What the viewer computed, in the units it showed (lib/collab/protocol.ts calls it AnnotationStats). */
export interface MeasurementValues {
  /** mm */
  length?: number;
  /** degrees */
  angle?: number;
  area?: number;
  /** 'mm²', or 'px²' for an image without pixel spacing */
  areaUnit?: string;
  mean?: number;
  stdDev?: number;
  min?: number;
  max?: number;
  /** 'HU' for CT, '' or another unit otherwise */
  modalityUnit?: string;
}

export interface ReportMeasurement {
  tool: MeasurementTool;
  /** Cornerstone's annotationUID; becomes the Tracking Unique Identifier (a UUID under 2.25, PS3.5 B.2). */
  trackingId: string;
  image: ImageReference;
  /** (column, row) per handle, or the contour for PlanarFreehandROI (PS3.3 C.18.6.1.1 convention). */
  imagePoints: readonly Point2[];
  /** The same handles in patient coordinates (mm): they decide which ellipse axis is the major one. */
  worldPoints?: readonly Point3[];
  /** ArrowAnnotate's text */
  text?: string;
  values?: MeasurementValues;
  /** Who drew it (TID 1003 Person Observer Name, PN) */
  observerName: string;
}

/** Input the report cannot be made from; the message names the measurement. */
export class MeasurementReportInputError extends Error {
  override readonly name = 'MeasurementReportInputError';
}

export function measurementGroup(measurement: ReportMeasurement, index: number): ContentItem {
  checkPoints(measurement, index);
  const { tool, image, values = {} } = measurement;
  // The first NUM holds the geometry (dcmjs TID 300: "scoordContentItem: index === 0"). A group
  // without any value keeps it as a TID 1410 "Image Region", which OHIF still draws; never a
  // bare SCOORD at group level (OHIF's SR handler reads the concept name of every such SCOORD).
  const measurements = valuesWithGeometry(toolValues(tool, values), toolGeometry(measurement), image);
  const text = measurement.text?.trim();
  return container('CONTAINS', CODES.measurementGroup, [
    textItem('HAS OBS CONTEXT', CODES.trackingIdentifier, `${CORNERSTONE_3D_TAG}:${tool}`),
    uidRefItem('HAS OBS CONTEXT', CODES.trackingUniqueIdentifier, uidForIdentifier(measurement.trackingId)),
    // TID 1501 is extensible and observation context may be given at any node (PS3.3 C.17.3.2.5):
    // each group names its own author, because a teleconsultation's measurements have several.
    ...observerContext(measurement.observerName),
    ...measurements,
    ...(tool === 'ArrowAnnotate' && text ? [textItem('CONTAINS', CODES.comment, text)] : []),
  ]);
}

/** A shape measured on an image, without who drew it or a tracking identity (a report's key-image findings need neither). */
export type MeasuredShape = Pick<ReportMeasurement, 'tool' | 'imagePoints' | 'worldPoints' | 'text' | 'values'>;

/**
 * A shape on a key image as TID 2000 content (TID 2001 observations, with the
 * TID 1400/1401 measurement pattern): each value a NUM — the first INFERRED
 * FROM the shape's SCOORD, SELECTED FROM the image — and an arrow's text a
 * TEXT (`textConcept`) INFERRED FROM the arrow's SCOORD. No Center = 0 for an
 * arrow here: that NUM only exists for the Cornerstone adapters (TID 1500).
 * A shape with neither values nor text: its SCOORD alone, as an Image Region.
 */
export function keyImageFindingItems(shape: MeasuredShape, image: ImageReference, index: number, textConcept: Code): ContentItem[] {
  checkPoints(shape, index);
  const geometry = toolGeometry(shape);
  const text = shape.text?.trim();
  if (shape.tool === 'ArrowAnnotate') {
    return text
      ? [{ ...textItem('CONTAINS', textConcept, text), ContentSequence: [scoordItem('INFERRED FROM', geometry.graphicType, geometry.points, image)] }]
      : [scoordItem('CONTAINS', geometry.graphicType, geometry.points, image, CODES.imageRegion)];
  }
  return valuesWithGeometry(toolValues(shape.tool, shape.values ?? {}), geometry, image);
}

/** The values as NUMs, the first INFERRED FROM the geometry; none: the geometry as a TID 1410 Image Region */
function valuesWithGeometry(numbers: NumericValue[], geometry: Geometry, image: ImageReference): ContentItem[] {
  return numbers.length
    ? numbers.map(([name, value, unit], position) =>
        numItem('CONTAINS', name, value, unit, position === 0 ? [scoordItem('INFERRED FROM', geometry.graphicType, geometry.points, image)] : undefined),
      )
    : [scoordItem('CONTAINS', geometry.graphicType, geometry.points, image, CODES.imageRegion)];
}

/** TID 1002 Observer Context for a person (TID 1003 row 1: Person Observer Name). */
export function observerContext(personName: string): ContentItem[] {
  return [
    codeItem('HAS OBS CONTEXT', CODES.observerType, CODES.person),
    personNameItem('HAS OBS CONTEXT', CODES.personObserverName, personNameValue(personName)),
  ];
}

/**
 * A display name as a PN value (PS3.5 6.2.1): '^', '=' and '\' are
 * delimiters, so they cannot stay; a free-text name becomes the family name
 * component whole rather than being guessed into given and family names.
 */
export function personNameValue(name: string): string {
  const cleaned = name.replace(/[\\^=\u0000-\u001f]/g, ' ').replace(/\s+/g, ' ').trim();
  return (cleaned || 'Unknown').slice(0, 64);
}

interface Geometry {
  graphicType: GraphicType;
  points: Point2[];
}

function toolGeometry({ tool, imagePoints, worldPoints }: MeasuredShape): Geometry {
  const points = imagePoints.map(([column, row]) => [column, row] as const);
  switch (tool) {
    case 'Length':
    case 'ArrowAnnotate':
      // ArrowAnnotate: [head, tail] (the adapter writes the arrow's head first, arrowFirst)
      return { graphicType: 'POLYLINE', points: points.slice(0, 2) };
    case 'Angle':
      // dcmjs TID 300 CobbAngle: two lines p1-vertex and vertex-p3; the adapter reads back points 0, 1 and 3
      return { graphicType: 'POLYLINE', points: [points[0], points[1], points[1], points[2]] };
    case 'EllipticalROI':
      return { graphicType: 'ELLIPSE', points: ellipseAxes(points, worldPoints) };
    case 'RectangleROI':
      // Cornerstone's corners: top left, top right, bottom left, bottom right → around the rectangle, closed
      return { graphicType: 'POLYLINE', points: [points[0], points[1], points[3], points[2], points[0]] };
    case 'PlanarFreehandROI':
      return { graphicType: 'POLYLINE', points: closedContour(points) };
  }
}

/**
 * C.18.6.1.2 ELLIPSE: "the first two points specify the endpoints of the
 * major axis and the second two points specify the endpoints of the minor
 * axis". Cornerstone keeps [bottom, top, left, right]; which pair is longer is
 * decided in patient space (pixels need not be square), and each pair keeps
 * its order, as the adapter writes it (it reads the four points back as the
 * tool's handles).
 */
function ellipseAxes(points: Point2[], worldPoints: readonly Point3[] | undefined): Point2[] {
  const [bottom, top, left, right] = points;
  const [vertical, horizontal] =
    worldPoints && worldPoints.length === 4
      ? [distance(worldPoints[0], worldPoints[1]), distance(worldPoints[2], worldPoints[3])]
      : [distance(bottom, top), distance(left, right)];
  return vertical > horizontal ? [bottom, top, left, right] : [left, right, bottom, top];
}

/** C.18.6.1.2: a POLYLINE whose first and last points are the same is closed. */
function closedContour(points: Point2[]): Point2[] {
  const first = points[0];
  const last = points[points.length - 1];
  return first[0] === last[0] && first[1] === last[1] ? points : [...points, first];
}

function distance(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(...a.map((value, axis) => value - b[axis]));
}

type NumericValue = [name: Code, value: number, unit: Code];

/** The NUM items of a tool, in the order the adapters write them (the first one carries the geometry). */
function toolValues(tool: MeasurementTool, values: MeasurementValues): NumericValue[] {
  const out: NumericValue[] = [];
  const add = (name: Code, value: number | undefined, unit: Code) => {
    if (value !== undefined && value !== null) out.push([name, value, unit]);
  };
  switch (tool) {
    case 'Length':
      add(CODES.length, values.length, UNITS.millimeter);
      break;
    case 'Angle':
      add(CODES.cobbAngle, values.angle, UNITS.degree);
      break;
    case 'ArrowAnnotate':
      // dcmjs TID 300 ArrowAnnotate: a NUM of 0 without units that only carries the arrow's geometry
      add(CODES.center, 0, UNITS.noUnits);
      break;
    case 'EllipticalROI':
    case 'RectangleROI':
    case 'PlanarFreehandROI': {
      const modalityUnit = modalityUnitCode(values.modalityUnit);
      add(CODES.area, values.area, areaUnitCode(values.areaUnit));
      add(CODES.maximum, values.max, modalityUnit);
      add(CODES.minimum, values.min, modalityUnit);
      add(CODES.mean, values.mean, modalityUnit);
      add(CODES.standardDeviation, values.stdDev, modalityUnit);
      break;
    }
  }
  return out;
}

const POINT_COUNT: Record<Exclude<MeasurementTool, 'PlanarFreehandROI'>, number> = {
  Length: 2,
  ArrowAnnotate: 2,
  Angle: 3,
  EllipticalROI: 4,
  RectangleROI: 4,
};

function checkPoints(measurement: MeasuredShape, index: number): void {
  const { tool, imagePoints } = measurement;
  const what = `measurement ${index + 1} (${tool})`;
  if (!(MEASUREMENT_TOOLS as readonly string[]).includes(tool)) throw new MeasurementReportInputError(`${what}: not a measurement tool`);
  const expected = tool === 'PlanarFreehandROI' ? null : POINT_COUNT[tool];
  if (expected !== null && imagePoints.length !== expected) {
    throw new MeasurementReportInputError(`${what}: ${imagePoints.length} image points, expected ${expected}`);
  }
  if (expected === null && imagePoints.length < 3) throw new MeasurementReportInputError(`${what}: a contour needs at least 3 image points`);
  if (!imagePoints.every((point) => point.length === 2 && point.every(Number.isFinite))) {
    throw new MeasurementReportInputError(`${what}: image points must be finite (column, row) pairs`);
  }
  for (const [name, value] of Object.entries(measurement.values ?? {})) {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new MeasurementReportInputError(`${what}: ${name} is not a finite number`);
  }
}
