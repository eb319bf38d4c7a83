// The annotations a page knows of, whoever made them: the live room's
// (from the /consult socket, and mine once the server kept them), the report
// page's (a teleconsultation's of this study, and those drawn on the report
// page). Kept by study / series / FrameOfReference / image (SOP instance and
// frame), so that a viewer shows what belongs to the images on its screen and
// a key image takes the annotations of the image it shows.
//
// The viewer engine subscribes: a change made outside the viewer (another
// participant, the server, a list's delete button) is shown or removed; a
// change the viewer itself reported (origin 'viewer') is already on screen.
import type { CollabAnnotation, ImageRef } from '../../lib/collab/protocol';

/** Where a change comes from: the viewer of this page (already drawn there) or anywhere else (to show). */
export type ChangeOrigin = 'viewer' | 'outside';

export type AnnotationChange = { kind: 'upsert'; annotation: CollabAnnotation; origin: ChangeOrigin } | { kind: 'remove'; uid: string; origin: ChangeOrigin };

export type ImageKey = Pick<ImageRef, 'seriesInstanceUid' | 'sopInstanceUid' | 'frameNumber'>;

const imageKey = (ref: ImageKey) => `${ref.seriesInstanceUid}/${ref.sopInstanceUid}/${ref.frameNumber}`;

export class AnnotationManager {
  private readonly byUid = new Map<string, CollabAnnotation>();
  private readonly listeners = new Set<(change: AnnotationChange) => void>();

  /** @param editable which annotations this page's user may change (the others are shown locked) */
  constructor(readonly editable: (annotation: CollabAnnotation) => boolean = () => false) {}

  subscribe(listener: (change: AnnotationChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(change: AnnotationChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** Adds or replaces an annotation (by uid). */
  upsert(annotation: CollabAnnotation, origin: ChangeOrigin): void {
    this.byUid.set(annotation.uid, annotation);
    this.notify({ kind: 'upsert', annotation, origin });
  }

  /** Forgets an annotation; true if it was held. */
  remove(uid: string, origin: ChangeOrigin): boolean {
    const held = this.byUid.delete(uid);
    // Removal from the screen is asked for even if the manager never held it (an annotation being drawn)
    this.notify({ kind: 'remove', uid, origin });
    return held;
  }

  get(uid: string): CollabAnnotation | undefined {
    return this.byUid.get(uid);
  }

  has(uid: string): boolean {
    return this.byUid.has(uid);
  }

  all(): CollabAnnotation[] {
    return [...this.byUid.values()];
  }

  forStudy(studyInstanceUid: string): CollabAnnotation[] {
    return this.all().filter((annotation) => annotation.ref.studyInstanceUid === studyInstanceUid);
  }

  forSeries(seriesInstanceUid: string): CollabAnnotation[] {
    return this.all().filter((annotation) => annotation.ref.seriesInstanceUid === seriesInstanceUid);
  }

  /** Annotations in one patient space (every series sharing the FrameOfReference); none for '' */
  forFrameOfReference(frameOfReferenceUid: string): CollabAnnotation[] {
    if (!frameOfReferenceUid) return [];
    return this.all().filter((annotation) => annotation.ref.frameOfReferenceUid === frameOfReferenceUid);
  }

  /** The annotations drawn on one image (SOP instance and frame), in the order they were added. */
  forImage(image: ImageKey): CollabAnnotation[] {
    const key = imageKey(image);
    return this.all().filter((annotation) => imageKey(annotation.ref) === key);
  }
}
