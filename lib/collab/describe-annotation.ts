// One line per annotation, as the session's annotation list shows it:
// "Length 42.3 mm", "Ellipse · area 120 mm² · mean 40 ± 12 HU".
import type { AnnotationToolName, CollabAnnotation } from './protocol';

export const TOOL_LABELS: Record<AnnotationToolName, string> = {
  Length: 'Length',
  Angle: 'Angle',
  ArrowAnnotate: 'Arrow',
  EllipticalROI: 'Ellipse',
  RectangleROI: 'Rectangle',
  PlanarFreehandROI: 'Freehand',
};

const fixed = (value: number, digits = 1) => value.toFixed(digits).replace(/\.0+$/, '');

export function describeAnnotation(annotation: Pick<CollabAnnotation, 'tool' | 'stats' | 'text'>): string {
  const stats = annotation.stats ?? {};
  const label = TOOL_LABELS[annotation.tool];
  switch (annotation.tool) {
    case 'Length':
      return stats.length !== undefined ? `${label} ${fixed(stats.length)} mm` : label;
    case 'Angle':
      return stats.angle !== undefined ? `${label} ${fixed(stats.angle)}°` : label;
    case 'ArrowAnnotate':
      return annotation.text ? `${label} “${annotation.text}”` : label;
    default: {
      const parts = [label];
      if (stats.area !== undefined) parts.push(`area ${fixed(stats.area)} ${stats.areaUnit ?? 'mm²'}`);
      if (stats.mean !== undefined) {
        const unit = stats.modalityUnit ? ` ${stats.modalityUnit}` : '';
        parts.push(stats.stdDev !== undefined ? `mean ${fixed(stats.mean)} ± ${fixed(stats.stdDev)}${unit}` : `mean ${fixed(stats.mean)}${unit}`);
      }
      return parts.join(' · ');
    }
  }
}
