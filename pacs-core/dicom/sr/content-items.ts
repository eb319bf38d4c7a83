// SR content items (PS3.3 C.17.3, Table C.17-5 and the Value Type macros of
// C.18) as dcmjs naturalized datasets: keyword-keyed, sequences as arrays.
import type { Code } from './codes';

export type ContentItem = Record<string, unknown>;

/** PS3.3 C.17.3.2.4: the relationship of a content item to its parent. */
export type RelationshipType = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'INFERRED FROM' | 'SELECTED FROM' | 'HAS PROPERTIES';

/** PS3.3 C.18.6.1.2: the SCOORD graphic types the measurement tools need. */
export type GraphicType = 'POINT' | 'POLYLINE' | 'ELLIPSE' | 'MULTIPOINT' | 'CIRCLE';

/** A referenced image (PS3.3 C.18.4 Image Reference Macro). */
export interface ImageReference {
  sopClassUid: string;
  sopInstanceUid: string;
  /** Only for a multi-frame image: the 1-based frame (ReferencedFrameNumber, C.18.4). */
  frameNumber?: number;
}

function concept(name: Code): Code[] {
  return [{ ...name }];
}

export function container(relationship: RelationshipType | null, name: Code, children: ContentItem[]): ContentItem {
  return {
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: concept(name),
    // C.18.8: the children are separate statements, not one running text
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: children,
  };
}

export function textItem(relationship: RelationshipType, name: Code, text: string): ContentItem {
  return { RelationshipType: relationship, ValueType: 'TEXT', ConceptNameCodeSequence: concept(name), TextValue: text };
}

export function codeItem(relationship: RelationshipType, name: Code, value: Code, children?: ContentItem[]): ContentItem {
  return {
    RelationshipType: relationship,
    ValueType: 'CODE',
    ConceptNameCodeSequence: concept(name),
    ConceptCodeSequence: concept(value),
    ...(children?.length ? { ContentSequence: children } : {}),
  };
}

export function personNameItem(relationship: RelationshipType, name: Code, personName: string): ContentItem {
  return { RelationshipType: relationship, ValueType: 'PNAME', ConceptNameCodeSequence: concept(name), PersonName: [{ Alphabetic: personName }] };
}

export function uidRefItem(relationship: RelationshipType, name: Code, uid: string): ContentItem {
  return { RelationshipType: relationship, ValueType: 'UIDREF', ConceptNameCodeSequence: concept(name), UID: uid };
}

/** C.18.1 Numeric Measurement Macro; `children` e.g. the SCOORD the value was INFERRED FROM. */
export function numItem(relationship: RelationshipType, name: Code, value: number, unit: Code, children?: ContentItem[]): ContentItem {
  const numericValue = decimalString(value);
  return {
    RelationshipType: relationship,
    ValueType: 'NUM',
    ConceptNameCodeSequence: concept(name),
    MeasuredValueSequence: [
      {
        MeasurementUnitsCodeSequence: concept(unit),
        NumericValue: numericValue,
        // Table C.18-2: Floating Point Value carries the full double when the
        // 16 characters of the DS cannot (a viewer's statistics often need more).
        ...(Number(numericValue) !== value ? { FloatingPointValue: value } : {}),
      },
    ],
    ...(children?.length ? { ContentSequence: children } : {}),
  };
}

/**
 * C.18.6 Spatial Coordinates Macro: `points` are (column, row) image
 * coordinates (C.18.6.1.1: 0.0\0.0 is the top left corner of the top left
 * pixel), SELECTED FROM the image they were drawn on. Without a concept name
 * (TID 320), unless the SCOORD stands alone in its group (TID 1410 row 3).
 */
export function scoordItem(
  relationship: RelationshipType,
  graphicType: GraphicType,
  points: readonly (readonly [number, number])[],
  image: ImageReference,
  name?: Code,
): ContentItem {
  return {
    RelationshipType: relationship,
    ValueType: 'SCOORD',
    ...(name ? { ConceptNameCodeSequence: concept(name) } : {}),
    GraphicType: graphicType,
    // FL, column\row pairs
    GraphicData: points.flatMap(([column, row]) => [column, row]),
    ContentSequence: [imageItem('SELECTED FROM', image)],
  };
}

/** C.18.4 Image Reference Macro; without a concept name unless the template gives one (TID 320 and TID 1601 give none). */
export function imageItem(relationship: RelationshipType | null, image: ImageReference, name?: Code): ContentItem {
  return {
    ...(relationship ? { RelationshipType: relationship } : {}),
    ValueType: 'IMAGE',
    ...(name ? { ConceptNameCodeSequence: concept(name) } : {}),
    ReferencedSOPSequence: [
      {
        ReferencedSOPClassUID: image.sopClassUid,
        ReferencedSOPInstanceUID: image.sopInstanceUid,
        ...(image.frameNumber !== undefined ? { ReferencedFrameNumber: String(image.frameNumber) } : {}),
      },
    ],
  };
}

/**
 * A DS value (PS3.5 6.2: at most 16 characters, digits, sign, point and
 * exponent): the shortest text that fits, rounded only when it must be.
 */
export function decimalString(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite number: ${value}`);
  if (Object.is(value, -0)) return '0';
  const plain = String(value);
  if (plain.length <= 16) return plain;
  for (let precision = 15; precision >= 1; precision--) {
    const text = value
      .toPrecision(precision)
      // 1.2300e+5 → 1.23e+5; 1.500 → 1.5
      .replace(/(\.\d*?)0+(e|$)/, '$1$2')
      .replace(/\.(e|$)/, '$1');
    if (text.length <= 16) return text;
  }
  throw new RangeError(`cannot write ${value} as a DS`);
}
