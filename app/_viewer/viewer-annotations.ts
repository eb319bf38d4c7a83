// The annotation half of the viewer engine: what the user draws becomes
// drawing / commit / remove callbacks (persisted once the handles are still),
// and what an AnnotationManager holds is shown — others' annotations locked,
// in their author's colour. Showing one must not echo back as the user's:
// while it is shown `applying` is set and Cornerstone's events are ignored.
import { eventTarget } from '@cornerstonejs/core';
import { annotation as annotationApi, Enums as ToolEnums, type Types as ToolTypes } from '@cornerstonejs/tools';
import type { AnnotationGeometry, AnnotationToolName, CollabAnnotation, ImageRef, Point3 } from '../../lib/collab/protocol';
import { colourAnnotation, imageRefOf, readGeometry, removeShownAnnotation, rerenderAnnotations, showAnnotation, toolNameOf } from './annotation-bridge';
import type { AnnotationManager } from './annotation-manager';

export interface AnnotationCallbacks {
  /** One of my annotations is being drawn or dragged (not yet to persist) */
  onDrawing(uid: string, tool: AnnotationToolName, ref: ImageRef, geometry: AnnotationGeometry): void;
  /** One of my annotations is finished or an edit has settled: persist it */
  onCommit(uid: string, tool: AnnotationToolName, ref: ImageRef, geometry: AnnotationGeometry): void;
  /** I deleted one of my annotations */
  onRemoved(uid: string): void;
}

export interface ShownAnnotation {
  uid: string;
  tool: AnnotationToolName;
  points: Point3[];
  locked: boolean;
  text?: string;
}

/** An edit of one of my annotations is persisted once the handles have been still this long */
const COMMIT_SETTLE_MS = 250;

export class ViewerAnnotations {
  /** Annotations of others (their uids): never reported as mine */
  private readonly foreign = new Set<string>();
  /** My annotations not yet completed by their tool */
  private readonly drawing = new Set<string>();
  private readonly commitTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly removedByRemote = new Set<string>();
  private applying = 0;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly callbacks: AnnotationCallbacks,
    /** My colour (in a session: known once the presence arrives) */
    private readonly myColor: () => string,
    /** The engine is applying remote state (nothing the user does) */
    private readonly engineApplying: () => boolean,
    private readonly visibleViewportIds: () => string[],
  ) {}

  /** Shows what the manager holds, and from now on what changes there outside this viewer. */
  attach(manager: AnnotationManager): void {
    this.unsubscribe?.();
    for (const annotation of manager.all()) this.showRemote(annotation, manager.editable(annotation));
    this.unsubscribe = manager.subscribe((change) => {
      if (change.origin === 'viewer') return;
      if (change.kind === 'upsert') this.showRemote(change.annotation, manager.editable(change.annotation));
      else this.remove(change.uid);
    });
  }

  destroy(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const timer of this.commitTimers.values()) clearTimeout(timer);
    this.commitTimers.clear();
  }

  showRemote(annotation: CollabAnnotation, editable: boolean): void {
    if (this.removedByRemote.has(annotation.uid)) return;
    if (!editable) this.foreign.add(annotation.uid);
    this.applying++;
    try {
      showAnnotation(annotation, editable);
    } finally {
      this.applying--;
    }
    rerenderAnnotations(this.visibleViewportIds());
  }

  remove(uid: string): void {
    this.removedByRemote.add(uid);
    this.applying++;
    try {
      removeShownAnnotation(uid);
    } finally {
      this.applying--;
    }
    rerenderAnnotations(this.visibleViewportIds());
  }

  /** Deletes my selected annotations (the Delete key). */
  deleteSelected(): void {
    for (const uid of annotationApi.selection.getAnnotationsSelected()) {
      if (this.foreign.has(uid)) continue;
      removeShownAnnotation(uid);
    }
    rerenderAnnotations(this.visibleViewportIds());
  }

  /** Commits at once what waits for the handles to settle (before the page takes a snapshot). */
  settle(): void {
    for (const [uid, timer] of [...this.commitTimers]) {
      clearTimeout(timer);
      this.commitTimers.delete(uid);
      this.commit(uid);
    }
  }

  /** The annotations on screen (Cornerstone's own state): uid, tool, handles in world coordinates. */
  shown(): ShownAnnotation[] {
    return annotationApi.state.getAllAnnotations().flatMap((annotation) => {
      const tool = toolNameOf(annotation);
      if (!tool || !annotation.annotationUID) return [];
      const data = annotation.data as { handles?: { points?: Point3[] }; label?: string };
      return [{ uid: annotation.annotationUID, tool, points: (data.handles?.points ?? []).map((point) => [point[0], point[1], point[2]] as Point3), locked: Boolean(annotation.isLocked), text: data.label || undefined }];
    });
  }

  /** Listens to Cornerstone's annotation events; `on` registers a listener the engine removes on destroy. */
  listen(on: (target: EventTarget, type: string, handler: (event: Event) => void) => void): void {
    const ignored = (uid: string) => this.applying > 0 || this.engineApplying() || this.foreign.has(uid);
    const annotationOf = (event: Event) => (event as CustomEvent<{ annotation?: ToolTypes.Annotation }>).detail?.annotation;
    on(eventTarget, ToolEnums.Events.ANNOTATION_ADDED, (event) => {
      const annotation = annotationOf(event);
      if (!annotation?.annotationUID || ignored(annotation.annotationUID) || !toolNameOf(annotation)) return;
      this.drawing.add(annotation.annotationUID);
      colourAnnotation(annotation.annotationUID, this.myColor());
    });
    on(eventTarget, ToolEnums.Events.ANNOTATION_MODIFIED, (event) => {
      const annotation = annotationOf(event);
      if (!annotation?.annotationUID || ignored(annotation.annotationUID)) return;
      const shared = share(annotation);
      if (!shared) return;
      this.callbacks.onDrawing(annotation.annotationUID, shared.tool, shared.ref, shared.geometry);
      // An edit of a finished annotation: persist once the handles are still
      if (!this.drawing.has(annotation.annotationUID)) this.scheduleCommit(annotation.annotationUID);
    });
    on(eventTarget, ToolEnums.Events.ANNOTATION_COMPLETED, (event) => {
      const annotation = annotationOf(event);
      if (!annotation?.annotationUID || ignored(annotation.annotationUID)) return;
      this.drawing.delete(annotation.annotationUID);
      // The statistics are computed on the next render: commit just after it
      this.scheduleCommit(annotation.annotationUID);
    });
    on(eventTarget, ToolEnums.Events.ANNOTATION_REMOVED, (event) => {
      const uid = annotationOf(event)?.annotationUID;
      if (!uid || ignored(uid) || this.removedByRemote.has(uid)) return;
      this.drawing.delete(uid);
      clearTimeout(this.commitTimers.get(uid));
      this.commitTimers.delete(uid);
      this.callbacks.onRemoved(uid);
    });
  }

  private scheduleCommit(uid: string): void {
    clearTimeout(this.commitTimers.get(uid));
    this.commitTimers.set(
      uid,
      setTimeout(() => {
        this.commitTimers.delete(uid);
        this.commit(uid);
      }, COMMIT_SETTLE_MS),
    );
  }

  private commit(uid: string): void {
    const current = annotationApi.state.getAnnotation(uid);
    if (!current || this.drawing.has(uid)) return;
    const shared = share(current);
    if (shared) this.callbacks.onCommit(uid, shared.tool, shared.ref, shared.geometry);
  }
}

function share(annotation: ToolTypes.Annotation): { tool: AnnotationToolName; ref: ImageRef; geometry: AnnotationGeometry } | null {
  const tool = toolNameOf(annotation);
  const ref = imageRefOf(annotation);
  const geometry = readGeometry(annotation);
  if (!tool || !ref || !geometry) return null;
  return { tool, ref, geometry };
}
