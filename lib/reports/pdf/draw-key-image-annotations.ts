// A key image's annotations drawn over the printed image as vector graphics,
// where they were drawn on the screen: image points (column, row of the
// original frame, PS3.3 C.18.6.1.1: 0,0 is the top left corner of the top
// left pixel) scaled to the size and position the image was printed at.
// Each shape carries its number; the caption lists the numbers with their
// values. Clipped to the image, so a handle dragged past its edge does not
// scribble over the page.
import type { ReportPdfAnnotation } from './report-pdf-input';

type Doc = PDFKit.PDFDocument;
type Point = readonly [number, number];

/** Bright on a grey image, and kept apart from the black label boxes */
const STROKE = '#ffd400';
const LABEL_INK = '#ffd400';
const LABEL_BOX = '#000000';
const TICK = 3.5;
const ARROW_HEAD = 6;

export interface PrintedImage {
  /** Where the image was printed, in PDF points */
  x: number;
  y: number;
  width: number;
  height: number;
  /** The frame's size in pixels */
  columns: number;
  rows: number;
}

export function drawKeyImageAnnotations(doc: Doc, annotations: readonly ReportPdfAnnotation[], image: PrintedImage): void {
  if (!annotations.length || image.columns <= 0 || image.rows <= 0) return;
  const toPage = ([column, row]: Point): Point => [image.x + (column * image.width) / image.columns, image.y + (row * image.height) / image.rows];
  doc.save();
  doc.rect(image.x, image.y, image.width, image.height).clip();
  doc.lineWidth(1.1).strokeColor(STROKE).fillColor(STROKE).strokeOpacity(1).fillOpacity(1);
  const placed: Box[] = [];
  annotations.forEach((annotation, index) => {
    const points = annotation.imagePoints.map(toPage);
    if (points.length === 0) return;
    const anchor = drawShape(doc, annotation, points);
    label(doc, String(index + 1), anchor, image, placed);
    if (annotation.tool === 'ArrowAnnotate' && annotation.text?.trim() && points[1]) label(doc, annotation.text.trim(), [points[1][0], points[1][1] + 9], image, placed);
  });
  doc.restore();
}

/** Draws the shape; returns where its number goes */
function drawShape(doc: Doc, annotation: ReportPdfAnnotation, points: Point[]): Point {
  switch (annotation.tool) {
    case 'Length': {
      const [a, b] = points;
      line(doc, a, b);
      // End ticks across the line, as a ruler's marks
      for (const end of [a, b]) {
        const [nx, ny] = unitNormal(a, b);
        line(doc, [end[0] - nx * TICK, end[1] - ny * TICK], [end[0] + nx * TICK, end[1] + ny * TICK]);
      }
      return beside(b);
    }
    case 'Angle': {
      const [first, vertex, last] = points;
      line(doc, first, vertex);
      line(doc, vertex, last);
      return beside(vertex);
    }
    case 'ArrowAnnotate': {
      // [head, tail]: the head points at the finding, the text stands at the tail
      const [head, tail] = points;
      line(doc, tail, head);
      const angle = Math.atan2(head[1] - tail[1], head[0] - tail[0]);
      doc
        .moveTo(head[0], head[1])
        .lineTo(head[0] - ARROW_HEAD * Math.cos(angle - 0.45), head[1] - ARROW_HEAD * Math.sin(angle - 0.45))
        .lineTo(head[0] - ARROW_HEAD * Math.cos(angle + 0.45), head[1] - ARROW_HEAD * Math.sin(angle + 0.45))
        .closePath()
        .fill(STROKE);
      return beside(tail, -14);
    }
    case 'EllipticalROI': {
      // [bottom, top, left, right]: the centre and two semi-axes (general: the screen may have been rotated)
      const [bottom, top, left, right] = points;
      const centre: Point = [(bottom[0] + top[0] + left[0] + right[0]) / 4, (bottom[1] + top[1] + left[1] + right[1]) / 4];
      const u: Point = [(top[0] - bottom[0]) / 2, (top[1] - bottom[1]) / 2];
      const v: Point = [(right[0] - left[0]) / 2, (right[1] - left[1]) / 2];
      const outline = Array.from({ length: 72 }, (_, step): Point => {
        const t = (2 * Math.PI * step) / 72;
        return [centre[0] + Math.cos(t) * u[0] + Math.sin(t) * v[0], centre[1] + Math.cos(t) * u[1] + Math.sin(t) * v[1]];
      });
      polygon(doc, outline);
      return beside(topRight(outline));
    }
    case 'RectangleROI': {
      // Cornerstone's corners: top left, top right, bottom left, bottom right
      const [topLeft, topRightCorner, bottomLeft, bottomRight] = points;
      polygon(doc, [topLeft, topRightCorner, bottomRight, bottomLeft]);
      return beside(topRight(points));
    }
    case 'PlanarFreehandROI':
      polygon(doc, points);
      return beside(topRight(points));
  }
}

function line(doc: Doc, a: Point, b: Point): void {
  doc.moveTo(a[0], a[1]).lineTo(b[0], b[1]).stroke(STROKE);
}

function polygon(doc: Doc, points: readonly Point[]): void {
  if (points.length < 2) return;
  doc.moveTo(points[0][0], points[0][1]);
  for (const point of points.slice(1)) doc.lineTo(point[0], point[1]);
  doc.closePath().stroke(STROKE);
}

function unitNormal(a: Point, b: Point): Point {
  const length = Math.hypot(b[0] - a[0], b[1] - a[1]) || 1;
  return [-(b[1] - a[1]) / length, (b[0] - a[0]) / length];
}

/** The point farthest up and right: a label there covers the least of the shape */
function topRight(points: readonly Point[]): Point {
  return points.reduce((best, point) => (point[0] - point[1] > best[0] - best[1] ? point : best), points[0]);
}

function beside(point: Point, dy = -12): Point {
  return [point[0] + 4, point[1] + dy];
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A small text on a black box, kept inside the image and off the labels already placed (moved down past them) */
function label(doc: Doc, text: string, at: Point, image: PrintedImage, placed: Box[]): void {
  doc.font('bold').fontSize(7.5);
  const width = Math.min(doc.widthOfString(text) + 4, image.width);
  const height = 10;
  const x = Math.min(Math.max(at[0], image.x), image.x + image.width - width);
  let y = Math.min(Math.max(at[1], image.y), image.y + image.height - height);
  const overlaps = (box: Box) => x < box.x + box.width && box.x < x + width && y < box.y + box.height && box.y < y + height;
  for (let tries = 0; tries < placed.length && placed.some(overlaps); tries += 1) y = Math.max(...placed.filter(overlaps).map((box) => box.y + box.height + 1));
  y = Math.min(y, image.y + image.height - height);
  placed.push({ x, y, width, height });
  doc.rect(x, y, width, height).fillOpacity(0.75).fill(LABEL_BOX).fillOpacity(1);
  doc.fillColor(LABEL_INK).text(text, x + 2, y + 1.5, { width: width - 2, height, lineBreak: false, ellipsis: true });
}
