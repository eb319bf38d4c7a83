// The collaborative viewer's engine: Cornerstone3D stack viewports in a 1×1,
// 1×2 or 2×2 layout, the reading tools, and the two directions of sync:
// - out: every local change of the viewer (scroll, window/level, zoom/pan,
//   layout, series) becomes a ViewerSyncState; every local annotation change
//   becomes a drawing/upsert/remove callback;
// - in: a presenter's state is applied (following), a participant's
//   annotation is shown in their colour.
// Applying remote state must not echo back: while it is applied `applying`
// is set, and the state callback only reports changes the user made.
import { Enums as CoreEnums, eventTarget, metaData, type Types as CoreTypes } from '@cornerstonejs/core';
import {
  addTool,
  AngleTool,
  annotation as annotationApi,
  ArrowAnnotateTool,
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  PlanarFreehandROITool,
  RectangleROITool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  type Types as ToolTypes,
} from '@cornerstonejs/tools';
import {
  viewportCount,
  type AnnotationGeometry,
  type AnnotationToolName,
  type CollabAnnotation,
  type ImageRef,
  type Point3,
  type ViewerSyncState,
  type ViewportLayout,
  type ViewportSync,
} from '../../../lib/collab/protocol';
import { colourAnnotation, imageRefOf, readGeometry, removeShownAnnotation, rerenderAnnotations, showAnnotation, toolNameOf } from './annotation-bridge';
import { voiRangeFromWindow, windowFromVoiRange, type VoiRange, type WindowLevel } from '../../../lib/collab/window-level';
import { initCornerstone, loadSeriesStack, renderingEngine, type SeriesStack } from './cornerstone';

export type PrimaryTool = 'WindowLevel' | 'Pan' | 'Zoom' | 'Laser' | AnnotationToolName;

/** CT window presets (width, centre in HU), as radiologists know them. */
export const CT_PRESETS = [
  { name: 'Soft tissue', windowWidth: 400, windowCenter: 40 },
  { name: 'Lung', windowWidth: 1500, windowCenter: -600 },
  { name: 'Bone', windowWidth: 2500, windowCenter: 480 },
  { name: 'Brain', windowWidth: 80, windowCenter: 40 },
  { name: 'Liver', windowWidth: 150, windowCenter: 90 },
] as const;

export interface ViewportInfo {
  seriesInstanceUid: string | null;
  imageIndex: number;
  imageCount: number;
  windowWidth: number | null;
  windowCenter: number | null;
  zoom: number;
  loading: boolean;
  error: string | null;
}

export interface ViewerEngineCallbacks {
  /** The user changed the viewer (never called while remote state is applied) */
  onLocalState(state: ViewerSyncState): void;
  /** The user touched the viewer (a follower breaks away) */
  onLocalInteraction(): void;
  /** One of my annotations is being drawn or dragged (not yet to persist) */
  onDrawing(uid: string, tool: AnnotationToolName, ref: ImageRef, geometry: AnnotationGeometry): void;
  /** One of my annotations is finished or an edit has settled: persist it */
  onCommit(uid: string, tool: AnnotationToolName, ref: ImageRef, geometry: AnnotationGeometry): void;
  /** I deleted one of my annotations */
  onRemoved(uid: string): void;
  /** The laser pointer moved over a viewport (null: it left) */
  onLaser(laser: { viewportIndex: number; world: Point3 } | null): void;
  /** Viewport overlays (image n/N, W/L, zoom) changed */
  onInfo(infos: ViewportInfo[]): void;
  /** A follower applied a presenter's state and the frame is on screen (for latency figures) */
  onRemoteRendered(sentAt: number): void;
  /** Text for an arrow annotation (null: cancelled) */
  askText(): Promise<string | null>;
}

const TOOL_GROUP_ID = 'telepacs-consult-tools';
const ANNOTATION_TOOL_CLASSES = [LengthTool, AngleTool, ArrowAnnotateTool, EllipticalROITool, RectangleROITool, PlanarFreehandROITool];
/** Every tool of the viewer: registered with Cornerstone once, added to the tool group */
const TOOL_CLASSES = [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, ...ANNOTATION_TOOL_CLASSES];
const ALL_PRIMARY: Exclude<PrimaryTool, 'Laser'>[] = ['WindowLevel', 'Pan', 'Zoom', 'Length', 'Angle', 'ArrowAnnotate', 'EllipticalROI', 'RectangleROI', 'PlanarFreehandROI'];
/** An edit of one of my annotations is persisted once the handles have been still this long */
const COMMIT_SETTLE_MS = 250;

let toolsRegistered = false;

export class ViewerEngine {
  private readonly viewportIds = ['consult-vp-0', 'consult-vp-1', 'consult-vp-2', 'consult-vp-3'];
  private elements: HTMLDivElement[] = [];
  private layout: ViewportLayout = '1x1';
  private active = 0;
  private readonly shown: (SeriesStack | null)[] = [null, null, null, null];
  private readonly loading = [false, false, false, false];
  private readonly errors: (string | null)[] = [null, null, null, null];
  private applying = 0;
  private tool: PrimaryTool = 'WindowLevel';
  private toolGroup: ToolTypes.IToolGroup | undefined;
  /** Annotations of others (their uids): never reported as mine */
  private readonly foreign = new Set<string>();
  /** My annotations not yet completed by their tool */
  private readonly drawing = new Set<string>();
  private readonly commitTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly removedByRemote = new Set<string>();
  private readonly cleanups: (() => void)[] = [];
  private destroyed = false;
  private pendingRender: { sentAt: number; viewportIndexes: Set<number> } | null = null;
  private nextApply: { state: ViewerSyncState; sentAt?: number } | null = null;
  private applyRunning: Promise<void> | null = null;

  constructor(
    private readonly studyInstanceUid: string,
    /** My colour in the session (known once the presence arrives) */
    private readonly myColor: () => string,
    private readonly callbacks: ViewerEngineCallbacks,
  ) {}

  async mount(elements: HTMLDivElement[]): Promise<void> {
    await initCornerstone();
    if (this.destroyed) return;
    this.elements = elements;
    registerTools();
    this.toolGroup = ToolGroupManager.getToolGroup(TOOL_GROUP_ID) ?? ToolGroupManager.createToolGroup(TOOL_GROUP_ID);
    const group = this.toolGroup!;
    const askText = this.callbacks.askText;
    for (const name of TOOL_CLASSES.map((tool) => tool.toolName)) {
      if (group.hasTool(name)) continue;
      // The arrow's text comes from the page's own dialog, not window.prompt()
      const configuration =
        name === ArrowAnnotateTool.toolName
          ? {
              getTextCallback: (done: (text: string | null) => void) => void askText().then(done),
              changeTextCallback: (_data: unknown, _event: unknown, done: (text: string | null) => void) => void askText().then(done),
            }
          : undefined;
      group.addTool(name, configuration);
    }
    group.setToolActive(StackScrollTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Wheel }] });
    group.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    group.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    this.setTool('WindowLevel');
    this.enableViewports();
    this.listen();
  }

  destroy(): void {
    this.destroyed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    for (const timer of this.commitTimers.values()) clearTimeout(timer);
    const engine = renderingEngine();
    for (const id of this.viewportIds) if (engine.getViewport(id)) engine.disableElement(id);
    annotationApi.state.removeAllAnnotations();
    if (this.toolGroup) ToolGroupManager.destroyToolGroup(TOOL_GROUP_ID);
  }

  // ---- the user's commands -------------------------------------------------

  setTool(tool: PrimaryTool): void {
    const group = this.toolGroup;
    if (!group) return;
    // Passive takes the left button away and leaves other buttons: Pan keeps the
    // middle one and Zoom the right one whatever the left button does
    for (const name of ALL_PRIMARY) group.setToolPassive(name);
    if (tool !== 'Laser') group.setToolActive(tool, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
    this.tool = tool;
  }

  async setLayout(layout: ViewportLayout, series: string[]): Promise<void> {
    if (layout === this.layout) return;
    this.layout = layout;
    this.enableViewports();
    // New panes show the next series of the study, as a reader expects from 1×2 / 2×2
    const count = viewportCount(layout);
    const jobs: Promise<void>[] = [];
    for (let index = 0; index < count; index++) {
      if (!this.shown[index] && series.length) jobs.push(this.showSeries(index, series[index % series.length], 0, false));
    }
    if (this.active >= count) this.active = 0;
    await Promise.all(jobs);
    this.reportLocal();
  }

  getLayout(): ViewportLayout {
    return this.layout;
  }

  activeViewport(): number {
    return this.active;
  }

  setActive(index: number): void {
    if (index < viewportCount(this.layout)) {
      this.active = index;
      this.reportLocal();
    }
  }

  /** Shows a series in a viewport (the active one by default). */
  async showSeries(index: number, seriesInstanceUid: string, imageIndex = 0, report = true): Promise<void> {
    const viewport = this.viewport(index);
    if (!viewport) return;
    this.loading[index] = true;
    this.errors[index] = null;
    this.emitInfo();
    try {
      const stack = await loadSeriesStack(this.studyInstanceUid, seriesInstanceUid);
      if (this.destroyed) return;
      this.shown[index] = stack;
      await viewport.setStack(stack.imageIds, clampIndex(imageIndex, stack.imageIds.length));
      viewport.render();
    } catch (error) {
      this.errors[index] = error instanceof Error ? error.message : String(error);
    } finally {
      this.loading[index] = false;
      this.emitInfo();
    }
    if (report) this.reportLocal();
  }

  async scroll(delta: number, index = this.active): Promise<void> {
    const viewport = this.viewport(index);
    if (viewport) await this.goToImage(viewport.getCurrentImageIdIndex() + delta, index);
  }

  async goToImage(imageIndex: number, index = this.active): Promise<void> {
    const viewport = this.viewport(index);
    const stack = this.shown[index];
    if (!viewport || !stack) return;
    await viewport.setImageIdIndex(clampIndex(imageIndex, stack.imageIds.length));
  }

  setWindow(windowWidth: number, windowCenter: number, index = this.active): void {
    const viewport = this.viewport(index);
    if (!viewport || !this.shown[index]) return;
    viewport.setProperties({ voiRange: voiRangeFromWindow({ windowWidth, windowCenter }, viewport.getProperties().VOILUTFunction) });
    viewport.render();
    // Not every property change fires a viewer event: report it (a state is sent once)
    this.reportLocal();
  }

  invert(index = this.active): void {
    const viewport = this.viewport(index);
    if (!viewport || !this.shown[index]) return;
    viewport.setProperties({ invert: !viewport.getProperties().invert });
    viewport.render();
    this.reportLocal();
  }

  reset(index = this.active): void {
    const viewport = this.viewport(index);
    if (!viewport || !this.shown[index]) return;
    viewport.resetProperties();
    viewport.resetCamera();
    viewport.render();
    this.reportLocal();
  }

  resize(): void {
    // Keep the camera: a follower's view stays the presenter's when a panel opens or the window changes
    if (this.elements.length) renderingEngine().resize(true, true);
  }

  /** Zoom as a reader reads it: 1 = the whole image fits the pane (from the image's size in mm and the pane's shape). */
  private relativeZoom(viewport: CoreTypes.IStackViewport): number {
    const imageId = viewport.getCurrentImageId();
    const plane = imageId ? (metaData.get('imagePlaneModule', imageId) as { rows?: number; columns?: number; rowPixelSpacing?: number; columnPixelSpacing?: number } | undefined) : undefined;
    const { parallelScale } = viewport.getCamera();
    const { clientWidth, clientHeight } = viewport.element;
    if (!plane?.rows || !plane.columns || !parallelScale || !clientWidth || !clientHeight) return 1;
    const height = plane.rows * (plane.rowPixelSpacing || 1);
    const width = plane.columns * (plane.columnPixelSpacing || 1);
    return Math.max(height, (width * clientHeight) / clientWidth) / 2 / parallelScale;
  }

  // ---- state out ------------------------------------------------------------

  getState(): ViewerSyncState {
    const viewports: ViewportSync[] = [];
    for (let index = 0; index < viewportCount(this.layout); index++) {
      const viewport = this.viewport(index);
      const stack = this.shown[index];
      if (!viewport || !stack) {
        viewports.push({ seriesInstanceUid: null, imageIndex: 0, voi: null, camera: null, invert: false });
        continue;
      }
      const properties = viewport.getProperties();
      const range = properties.voiRange;
      const camera = viewport.getCamera();
      viewports.push({
        seriesInstanceUid: stack.seriesInstanceUid,
        imageIndex: viewport.getCurrentImageIdIndex(),
        voi: range ? roundedWindow(range, properties.VOILUTFunction, round) : null,
        camera:
          camera.parallelScale && camera.focalPoint
            ? { parallelScale: round(camera.parallelScale, 4), focalPoint: [round(camera.focalPoint[0], 3), round(camera.focalPoint[1], 3), round(camera.focalPoint[2], 3)] }
            : null,
        invert: Boolean(properties.invert),
      });
    }
    return { layout: this.layout, active: this.active, viewports };
  }

  viewportInfos(): ViewportInfo[] {
    const infos: ViewportInfo[] = [];
    for (let index = 0; index < viewportCount(this.layout); index++) {
      const viewport = this.viewport(index);
      const stack = this.shown[index];
      const properties = stack && viewport ? viewport.getProperties() : undefined;
      const shownWindow = properties?.voiRange ? roundedWindow(properties.voiRange, properties.VOILUTFunction, Math.round) : null;
      infos.push({
        seriesInstanceUid: stack?.seriesInstanceUid ?? null,
        imageIndex: stack && viewport ? viewport.getCurrentImageIdIndex() : 0,
        imageCount: stack?.imageIds.length ?? 0,
        windowWidth: shownWindow?.windowWidth ?? null,
        windowCenter: shownWindow?.windowCenter ?? null,
        zoom: stack && viewport ? this.relativeZoom(viewport) : 1,
        loading: this.loading[index],
        error: this.errors[index],
      });
    }
    return infos;
  }

  // ---- state in (following the presenter) ------------------------------------

  /**
   * Applies a presenter's state. States are applied one after the other and
   * only the newest waiting one is kept: two applications interleaving
   * (each awaits image loads) could otherwise leave an older window or image
   * on screen after a newer one.
   */
  applyState(state: ViewerSyncState, sentAt?: number): Promise<void> {
    this.nextApply = { state, sentAt };
    this.applyRunning ??= this.drainApplies();
    return this.applyRunning;
  }

  private async drainApplies(): Promise<void> {
    try {
      while (this.nextApply && !this.destroyed) {
        const { state, sentAt } = this.nextApply;
        this.nextApply = null;
        await this.applyOne(state, sentAt);
      }
    } finally {
      this.applyRunning = null;
    }
  }

  private async applyOne(state: ViewerSyncState, sentAt?: number): Promise<void> {
    this.applying++;
    try {
      if (state.layout !== this.layout) {
        this.layout = state.layout;
        this.enableViewports();
      }
      this.active = Math.min(state.active, viewportCount(state.layout) - 1);
      const touched = new Set<number>();
      await Promise.all(
        state.viewports.slice(0, viewportCount(state.layout)).map(async (sync, index) => {
          const viewport = this.viewport(index);
          if (!viewport || !sync.seriesInstanceUid) return;
          if (this.shown[index]?.seriesInstanceUid !== sync.seriesInstanceUid) {
            await this.showSeries(index, sync.seriesInstanceUid, sync.imageIndex, false);
          } else if (viewport.getCurrentImageIdIndex() !== sync.imageIndex) {
            await viewport.setImageIdIndex(clampIndex(sync.imageIndex, this.shown[index]!.imageIds.length));
          }
          // Only what differs: each property set costs the renderer a new lookup table
          const properties = viewport.getProperties();
          const range = properties.voiRange;
          const voiRange = sync.voi ? voiRangeFromWindow(sync.voi, properties.VOILUTFunction) : undefined;
          const voiDiffers = voiRange && (!range || Math.abs(range.lower - voiRange.lower) > 0.01 || Math.abs(range.upper - voiRange.upper) > 0.01);
          const invertDiffers = Boolean(properties.invert) !== sync.invert;
          if (voiDiffers || invertDiffers) viewport.setProperties({ ...(voiDiffers ? { voiRange } : {}), ...(invertDiffers ? { invert: sync.invert } : {}) });
          if (sync.camera) {
            const camera = viewport.getCamera();
            const [x, y, z] = sync.camera.focalPoint;
            const moved = !camera.focalPoint || Math.hypot(camera.focalPoint[0] - x, camera.focalPoint[1] - y, camera.focalPoint[2] - z) > 1e-3;
            const scaled = !camera.parallelScale || Math.abs(camera.parallelScale - sync.camera.parallelScale) > 1e-4;
            if (moved || scaled) {
              // The camera keeps its distance to the image: move its position with the focal point
              const position = camera.position && camera.focalPoint ? ([0, 1, 2].map((axis) => camera.position![axis] - camera.focalPoint![axis] + sync.camera!.focalPoint[axis]) as CoreTypes.Point3) : undefined;
              viewport.setCamera({ parallelScale: sync.camera.parallelScale, focalPoint: [x, y, z], ...(position ? { position } : {}) });
            }
          }
          touched.add(index);
        }),
      );
      if (sentAt !== undefined && touched.size) this.pendingRender = { sentAt, viewportIndexes: touched };
      for (const index of touched) this.viewport(index)?.render();
    } finally {
      this.applying--;
      this.emitInfo();
    }
  }

  // ---- annotations ------------------------------------------------------------

  showRemoteAnnotation(annotation: CollabAnnotation, editable: boolean): void {
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

  removeAnnotation(uid: string): void {
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

  /** Shows an image of a series in the active viewport (a click in the annotation list). */
  async jumpTo(ref: ImageRef): Promise<void> {
    const index = this.active;
    if (this.shown[index]?.seriesInstanceUid !== ref.seriesInstanceUid) await this.showSeries(index, ref.seriesInstanceUid, 0, false);
    const stack = this.shown[index];
    if (!stack) return;
    const imageIndex = stack.frames.findIndex((frame) => frame.sopInstanceUid === ref.sopInstanceUid && frame.frameNumber === ref.frameNumber);
    if (imageIndex >= 0) await this.goToImage(imageIndex, index);
    this.reportLocal();
  }

  /** The annotations on screen (Cornerstone's own state): uid, tool, handles in world coordinates. */
  shownAnnotations(): { uid: string; tool: AnnotationToolName; points: Point3[]; locked: boolean; text?: string }[] {
    return annotationApi.state
      .getAllAnnotations()
      .flatMap((annotation) => {
        const tool = toolNameOf(annotation);
        if (!tool || !annotation.annotationUID) return [];
        const data = annotation.data as { handles?: { points?: Point3[] }; label?: string };
        return [{ uid: annotation.annotationUID, tool, points: (data.handles?.points ?? []).map((point) => [point[0], point[1], point[2]] as Point3), locked: Boolean(annotation.isLocked), text: data.label || undefined }];
      });
  }

  // ---- laser ------------------------------------------------------------------

  /** Where a world point is on a viewport's canvas (CSS pixels), or null when that viewport shows another plane/series. */
  worldToCanvas(viewportIndex: number, world: Point3): [number, number] | null {
    const viewport = this.viewport(viewportIndex);
    if (!viewport || !this.shown[viewportIndex]) return null;
    const point = viewport.worldToCanvas(world);
    return Number.isFinite(point[0]) && Number.isFinite(point[1]) ? [point[0], point[1]] : null;
  }

  // ---- internals ----------------------------------------------------------------

  private viewport(index: number): CoreTypes.IStackViewport | undefined {
    if (index >= viewportCount(this.layout)) return undefined;
    return renderingEngine().getViewport(this.viewportIds[index]) as CoreTypes.IStackViewport | undefined;
  }

  private visibleViewportIds(): string[] {
    return this.viewportIds.slice(0, viewportCount(this.layout));
  }

  private enableViewports(): void {
    const engine = renderingEngine();
    const count = viewportCount(this.layout);
    this.viewportIds.forEach((viewportId, index) => {
      const element = this.elements[index];
      const enabled = Boolean(engine.getViewport(viewportId));
      if (index < count && element && !enabled) {
        engine.enableElement({ viewportId, type: CoreEnums.ViewportType.STACK, element, defaultOptions: { background: [0, 0, 0] as CoreTypes.Point3 } });
        this.toolGroup?.addViewport(viewportId, engine.id);
        const stack = this.shown[index];
        if (stack) void this.showSeries(index, stack.seriesInstanceUid, 0, false);
      } else if (index >= count && enabled) {
        this.toolGroup?.removeViewports(engine.id, viewportId);
        engine.disableElement(viewportId);
        this.shown[index] = null;
      }
    });
    // The grid changed size: let the canvases follow after the browser lays it out
    requestAnimationFrame(() => this.resize());
  }

  private reportLocal(): void {
    this.emitInfo();
    if (this.applying === 0) this.callbacks.onLocalState(this.getState());
  }

  private emitInfo(): void {
    this.callbacks.onInfo(this.viewportInfos());
  }

  private listen(): void {
    const on = (target: EventTarget, type: string, handler: (event: Event) => void) => {
      target.addEventListener(type, handler);
      this.cleanups.push(() => target.removeEventListener(type, handler));
    };
    this.elements.forEach((element, index) => {
      const changed = () => this.reportLocal();
      on(element, CoreEnums.Events.STACK_NEW_IMAGE, changed);
      on(element, CoreEnums.Events.VOI_MODIFIED, changed);
      on(element, CoreEnums.Events.CAMERA_MODIFIED, changed);
      on(element, CoreEnums.Events.IMAGE_RENDERED, () => {
        const pending = this.pendingRender;
        if (!pending || !pending.viewportIndexes.has(index)) return;
        pending.viewportIndexes.delete(index);
        if (pending.viewportIndexes.size === 0) {
          this.pendingRender = null;
          this.callbacks.onRemoteRendered(pending.sentAt);
        }
      });
      // A person's hand on the viewer: makes it the active one and breaks away from following
      const touched = () => {
        if (this.active !== index) this.setActive(index);
        this.callbacks.onLocalInteraction();
      };
      on(element, 'pointerdown', touched);
      on(element, 'wheel', touched);
      on(element, 'pointermove', (event) => {
        if (this.tool !== 'Laser') return;
        const viewport = this.viewport(index);
        if (!viewport || !this.shown[index]) return;
        const rect = element.getBoundingClientRect();
        const pointer = event as PointerEvent;
        const world = viewport.canvasToWorld([pointer.clientX - rect.left, pointer.clientY - rect.top]);
        this.callbacks.onLaser({ viewportIndex: index, world: [world[0], world[1], world[2]] });
      });
      on(element, 'pointerleave', () => {
        if (this.tool === 'Laser') this.callbacks.onLaser(null);
      });
    });

    const annotationOf = (event: Event) => (event as CustomEvent<{ annotation?: ToolTypes.Annotation }>).detail?.annotation;
    on(eventTarget, ToolEnums.Events.ANNOTATION_ADDED, (event) => {
      const annotation = annotationOf(event);
      if (!annotation?.annotationUID || this.applying || this.foreign.has(annotation.annotationUID) || !toolNameOf(annotation)) return;
      this.drawing.add(annotation.annotationUID);
      colourAnnotation(annotation.annotationUID, this.myColor());
    });
    on(eventTarget, ToolEnums.Events.ANNOTATION_MODIFIED, (event) => {
      const annotation = annotationOf(event);
      if (!annotation?.annotationUID || this.applying || this.foreign.has(annotation.annotationUID)) return;
      const shared = this.share(annotation);
      if (!shared) return;
      this.callbacks.onDrawing(annotation.annotationUID, shared.tool, shared.ref, shared.geometry);
      // An edit of a finished annotation: persist once the handles are still
      if (!this.drawing.has(annotation.annotationUID)) this.scheduleCommit(annotation);
    });
    on(eventTarget, ToolEnums.Events.ANNOTATION_COMPLETED, (event) => {
      const annotation = annotationOf(event);
      if (!annotation?.annotationUID || this.applying || this.foreign.has(annotation.annotationUID)) return;
      this.drawing.delete(annotation.annotationUID);
      // The statistics are computed on the next render: commit just after it
      this.scheduleCommit(annotation);
    });
    on(eventTarget, ToolEnums.Events.ANNOTATION_REMOVED, (event) => {
      const annotation = annotationOf(event);
      const uid = annotation?.annotationUID;
      if (!uid || this.applying || this.foreign.has(uid) || this.removedByRemote.has(uid)) return;
      this.drawing.delete(uid);
      clearTimeout(this.commitTimers.get(uid));
      this.commitTimers.delete(uid);
      this.callbacks.onRemoved(uid);
    });
  }

  private scheduleCommit(annotation: ToolTypes.Annotation): void {
    const uid = annotation.annotationUID!;
    clearTimeout(this.commitTimers.get(uid));
    this.commitTimers.set(
      uid,
      setTimeout(() => {
        this.commitTimers.delete(uid);
        const current = annotationApi.state.getAnnotation(uid);
        if (!current || this.drawing.has(uid)) return;
        const shared = this.share(current);
        if (shared) this.callbacks.onCommit(uid, shared.tool, shared.ref, shared.geometry);
      }, COMMIT_SETTLE_MS),
    );
  }

  private share(annotation: ToolTypes.Annotation): { tool: AnnotationToolName; ref: ImageRef; geometry: AnnotationGeometry } | null {
    const tool = toolNameOf(annotation);
    const ref = imageRefOf(annotation);
    const geometry = readGeometry(annotation);
    if (!tool || !ref || !geometry) return null;
    return { tool, ref, geometry };
  }
}

function registerTools(): void {
  if (toolsRegistered) return;
  toolsRegistered = true;
  for (const tool of TOOL_CLASSES) addTool(tool);
}

/** The window a VOI range shows (lib/collab/window-level.ts), rounded for the overlay or the sync message; -0 shown as 0. */
function roundedWindow(range: VoiRange, lutFunction: string | undefined, rounding: (value: number) => number): WindowLevel {
  const { windowWidth, windowCenter } = windowFromVoiRange(range, lutFunction);
  return { windowWidth: rounding(windowWidth) + 0, windowCenter: rounding(windowCenter) + 0 };
}

function clampIndex(index: number, length: number): number {
  return Math.max(0, Math.min(length - 1, Math.round(index)));
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
