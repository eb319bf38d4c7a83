// The shared model of a live teleconsultation, used on both sides: by the
// browser (the collaborative viewer, the WebRTC mesh) and by the server (the
// /consult namespace keeps the state late joiners get, persists annotations,
// exports them as a DICOM SR). Isomorphic: no Node or browser imports here.
//
// Two kinds of traffic:
// - ephemeral (the presenter's viewport, the laser pointer, an annotation
//   while it is being drawn): sent peer to peer over the WebRTC data channel,
//   and through the server (`consult:relay`) to the peers without one;
// - durable (annotations once drawn, edited or deleted): sent to the server,
//   which persists them and broadcasts them to the room. While drawn, the
//   same annotation went peer to peer as 'drawing' messages: receivers keep
//   the highest `version` per annotation (a drawing carries the last
//   persisted one), so a late drawing update never undoes the kept version.
import type { MeasurementValues } from '../../pacs-core/dicom/sr/measurement-groups';

export type Point2 = [number, number];
export type Point3 = [number, number, number];

/** The measurement and markup tools of the collaborative viewer (Cornerstone3D tool names). */
export const ANNOTATION_TOOLS = ['Length', 'Angle', 'ArrowAnnotate', 'EllipticalROI', 'RectangleROI', 'PlanarFreehandROI'] as const;
export type AnnotationToolName = (typeof ANNOTATION_TOOLS)[number];

export function isAnnotationTool(name: unknown): name is AnnotationToolName {
  return typeof name === 'string' && (ANNOTATION_TOOLS as readonly string[]).includes(name);
}

/** The image an annotation was drawn on. */
export interface ImageRef {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  /** 1-based (DICOM ReferencedFrameNumber) */
  frameNumber: number;
  /** FrameOfReferenceUID (0020,0052) of the image; '' when the image has none */
  frameOfReferenceUid: string;
}

/** What Cornerstone computed on the author's screen, in the units it shows: the very values the
 *  DICOM SR reports, so one definition serves both (a type only: nothing of pacs-core reaches the browser). */
export type AnnotationStats = MeasurementValues;

/** The geometry of one annotation: what is drawn, and the image coordinates the SR needs. */
export interface AnnotationGeometry {
  /** The tool's handles in world (patient, mm) coordinates, as Cornerstone keeps them:
   *  Length/ArrowAnnotate 2 (ArrowAnnotate: [arrow head, tail]), Angle 3 (vertex in the middle),
   *  EllipticalROI 4 (bottom, top, left, right), RectangleROI 4 corners, PlanarFreehandROI any */
  points: Point3[];
  /** PlanarFreehandROI: the whole closed contour in world coordinates */
  polyline?: Point3[];
  /** The same shape in image coordinates (column, row; PS3.3 C.18.6.1.1, 0.0\0.0 = top left corner of the
   *  top left pixel): the handles, or for PlanarFreehandROI the contour */
  imagePoints: Point2[];
  /** The viewing plane the annotation was drawn in (Cornerstone needs it to show it again) */
  viewPlaneNormal: Point3;
  viewUp: Point3;
  /** ArrowAnnotate: the text at the arrow */
  text?: string;
  stats?: AnnotationStats;
}

/** An annotation as the server keeps it and every participant shows it. */
export interface CollabAnnotation extends AnnotationGeometry {
  /** Cornerstone's annotationUID (a UUID made by the author's browser) */
  uid: string;
  tool: AnnotationToolName;
  ref: ImageRef;
  /** Set by the server from the socket's user; a client's own value is ignored */
  authorUserId: string;
  authorName: string;
  /** The author's colour in this session (a CSS colour), set by the server */
  color: string;
  /** Grows by one with each edit; receivers keep the highest */
  version: number;
  /** ISO time of the last change, set by the server */
  updatedAt: string;
}

/** What a client sends to create or change an annotation (the server fills in the rest). */
export type CollabAnnotationInput = Pick<CollabAnnotation, 'uid' | 'tool' | 'ref' | 'version'> & AnnotationGeometry;

export const VIEWPORT_LAYOUTS = ['1x1', '1x2', '2x2'] as const;
export type ViewportLayout = (typeof VIEWPORT_LAYOUTS)[number];

export function viewportCount(layout: ViewportLayout): number {
  return layout === '1x1' ? 1 : layout === '1x2' ? 2 : 4;
}

/** One viewport of the presenter, in terms every screen size can apply. */
export interface ViewportSync {
  /** null: the viewport shows nothing */
  seriesInstanceUid: string | null;
  /** 0-based index in the series' stack (instances ordered as the viewer orders them) */
  imageIndex: number;
  /** null: the image's own window */
  voi: { windowWidth: number; windowCenter: number } | null;
  /** The camera in patient space: half the visible height (mm) and the point at the centre. Screens of
   *  other sizes show the same centre and the same height; null = the image fitted (nobody zoomed or panned) */
  camera: { parallelScale: number; focalPoint: Point3 } | null;
  invert: boolean;
}

/** The whole viewer state the presenter shares and followers mirror. */
export interface ViewerSyncState {
  layout: ViewportLayout;
  /** Index of the active viewport (the one the presenter works in) */
  active: number;
  viewports: ViewportSync[];
}

/** Peer-to-peer messages (data channel; the relay carries the same objects). `sentAt` is
 *  epoch milliseconds with sub-millisecond precision (performance.timeOrigin + now()), for latency figures. */
export type CollabMessage =
  | { type: 'viewport'; seq: number; sentAt: number; state: ViewerSyncState }
  | { type: 'laser'; seq: number; sentAt: number; laser: { viewportIndex: number; world: Point3 } | null }
  | { type: 'drawing'; seq: number; sentAt: number; annotation: CollabAnnotation }
  /** An annotation given up while drawn, never kept by the server (e.g. an arrow whose text was cancelled) */
  | { type: 'drawing_cancelled'; seq: number; sentAt: number; uid: string };

export type CollabMessageType = CollabMessage['type'];

export const COLLAB_MESSAGE_TYPES: readonly CollabMessageType[] = ['viewport', 'laser', 'drawing', 'drawing_cancelled'];

/** Largest message accepted from a peer or the relay (a freehand contour of a few thousand points fits). */
export const MAX_COLLAB_MESSAGE_BYTES = 256 * 1024;

/** Participant colours, by the order of invitation (the host first); readable on a black viewport. */
export const PARTICIPANT_COLORS = ['#facc15', '#38bdf8', '#f472b6', '#4ade80', '#fb923c', '#a78bfa', '#f87171'] as const;

export function participantColor(index: number): string {
  return PARTICIPANT_COLORS[((index % PARTICIPANT_COLORS.length) + PARTICIPANT_COLORS.length) % PARTICIPANT_COLORS.length];
}

/** An RTCIceServer as the browser takes it. */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}
