// A key image's annotations ⇄ the viewer's: a key image keeps a snapshot of
// the annotations shown on its image when it was added (report-types.ts
// KeyImageAnnotation); the page shows them again from that snapshot.
import type { AnnotationStats, CollabAnnotation, ImageRef } from '../../../../lib/collab/protocol';
import type { KeyImage, KeyImageAnnotation } from '../../../../lib/reports/report-types';

export const REPORT_ANNOTATION_COLOR = '#facc15';

/** The key image of the image a viewer shows, with the annotations drawn on it. */
export function keyImageOf(image: ImageRef, annotations: readonly CollabAnnotation[]): KeyImage {
  return {
    seriesUid: image.seriesInstanceUid,
    sopUid: image.sopInstanceUid,
    frame: image.frameNumber,
    annotations: annotations.map((annotation) => {
      const { uid, tool, points, polyline, imagePoints, viewPlaneNormal, viewUp, text, stats } = annotation;
      return {
        uid,
        tool,
        points,
        ...(polyline && { polyline }),
        imagePoints,
        viewPlaneNormal,
        viewUp,
        ...(text !== undefined && { text }),
        ...(stats && { stats: stats as KeyImageAnnotation['stats'] }),
        frameOfReferenceUid: annotation.ref.frameOfReferenceUid,
      };
    }),
  };
}

/** The annotations a key image keeps, to show on its image again. */
export function annotationsOfKeyImage(studyInstanceUid: string, image: KeyImage, author: { id: string; name: string }): CollabAnnotation[] {
  return (image.annotations ?? []).map(({ frameOfReferenceUid, stats, ...geometry }) => ({
    ...geometry,
    ...(stats && { stats: stats as AnnotationStats }),
    ref: { studyInstanceUid, seriesInstanceUid: image.seriesUid, sopInstanceUid: image.sopUid, frameNumber: image.frame, frameOfReferenceUid },
    authorUserId: author.id,
    authorName: author.name,
    color: REPORT_ANNOTATION_COLOR,
    version: 1,
    updatedAt: new Date(0).toISOString(),
  }));
}
