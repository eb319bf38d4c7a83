// The viewer engine of the portal (app/_viewer: the teleconsultation room and
// the report page use it): Cornerstone3D stack viewports in a 1×1, 1×2 or
// 2×2 layout, the reading tools, and the two directions of sync:
// - out: every local change of the viewer (scroll, window/level, zoom/pan,
//   layout, series) becomes a ViewerSyncState; every local annotation change
//   becomes a drawing/upsert/remove callback (viewer-annotations.ts);
// - in: a presenter's state is applied (following); the annotations an
//   AnnotationManager holds are shown, others' in their author's colour.
// Applying remote state must not echo back: while it is applied `applying`
// is set, and the state callback only reports changes the user made.
import { Enums as CoreEnums, metaData, type Types as CoreTypes } from '@cornerstonejs/core';
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
import { viewportCount, type AnnotationToolName, type ImageRef, type Point3, type ViewerSyncState, type ViewportLayout, type ViewportSync } from '../../lib/collab/protocol';
import type { AnnotationManager } from './annotation-manager';
import { ViewerAnnotations, type AnnotationCallbacks, type ShownAnnotation } from './viewer-annotations';
import { voiRangeFromWindow } from '../../lib/collab/window-level';
import { applyViewportSync, clampIndex, infoOf, syncOf, type ViewportInfo } from './viewport-state';
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

export type { ViewportInfo };

export interface ViewerEngineCallbacks extends AnnotationCallbacks {
  /** The user changed the viewer (never called while remote state is applied) */
  onLocalState(state: ViewerSyncState): void;
  /** The user touched the viewer (a follower breaks away) */
  onLocalInteraction(): void;
  /** The laser pointer moved over a viewport (null: it left) */
  onLaser(laser: { viewportIndex: number; world: Point3 } | null): void;
  /** Viewport overlays (image n/N, W/L, zoom) changed */
  onInfo(infos: ViewportInfo[]): void;
  /** A follower applied a presenter's state and the frame is on screen (for latency figures) */
  onRemoteRendered(sentAt: number): void;
  /** Text for an arrow annotation (null: cancelled) */
  askText(): Promise<string | null>;
}

const TOOL_GROUP_ID = 'telepacs-viewer-tools';
const ANNOTATION_TOOL_CLASSES = [LengthTool, AngleTool, ArrowAnnotateTool, EllipticalROITool, RectangleROITool, PlanarFreehandROITool];
/** Every tool of the viewer: registered with Cornerstone once, added to the tool group */
const TOOL_CLASSES = [WindowLevelTool, PanTool, ZoomTool, StackScrollTool, ...ANNOTATION_TOOL_CLASSES];
const ALL_PRIMARY: Exclude<PrimaryTool, 'Laser'>[] = ['WindowLevel', 'Pan', 'Zoom', 'Length', 'Angle', 'ArrowAnnotate', 'EllipticalROI', 'RectangleROI', 'PlanarFreehandROI'];

let toolsRegistered = false;

export class ViewerEngine {
  private readonly viewportIds = ['viewer-vp-0', 'viewer-vp-1', 'viewer-vp-2', 'viewer-vp-3'];
  private elements: HTMLDivElement[] = [];
  private layout: ViewportLayout = '1x1';
  private active = 0;
  private readonly shown: (SeriesStack | null)[] = [null, null, null, null];
  private readonly loading = [false, false, false, false];
  private readonly errors: (string | null)[] = [null, null, null, null];
  private applying = 0;
  private tool: PrimaryTool = 'WindowLevel';
  private toolGroup: ToolTypes.IToolGroup | undefined;
  private readonly annotations: ViewerAnnotations;
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
  ) {
    this.annotations = new ViewerAnnotations(callbacks, myColor, () => this.applying > 0, () => this.visibleViewportIds());
  }

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
    this.annotations.destroy();
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
      viewports.push(syncOf(viewport, stack));
    }
    return { layout: this.layout, active: this.active, viewports };
  }

  viewportInfos(): ViewportInfo[] {
    const infos: ViewportInfo[] = [];
    for (let index = 0; index < viewportCount(this.layout); index++) {
      const viewport = this.viewport(index);
      const stack = this.shown[index];
      infos.push(infoOf(viewport, stack, this.loading[index], this.errors[index]));
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
          applyViewportSync(viewport, sync);
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

  /** Shows what the manager holds (others' annotations locked), and what changes there outside this viewer. */
  showAnnotationsOf(manager: AnnotationManager): void {
    this.annotations.attach(manager);
  }

  /** Deletes my selected annotations (the Delete key). */
  deleteSelected(): void {
    this.annotations.deleteSelected();
  }

  /** Commits at once the annotation edits still settling. */
  settleAnnotations(): void {
    this.annotations.settle();
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

  /** The image the active viewport shows (series, instance, frame, FrameOfReference); null while it shows none. */
  activeImage(): ImageRef | null {
    const viewport = this.viewport(this.active);
    const stack = this.shown[this.active];
    const frame = viewport && stack ? stack.frames[viewport.getCurrentImageIdIndex()] : undefined;
    if (!viewport || !stack || !frame) return null;
    const plane = metaData.get('imagePlaneModule', viewport.getCurrentImageId()) as { frameOfReferenceUID?: string } | undefined;
    return { studyInstanceUid: stack.studyInstanceUid, seriesInstanceUid: stack.seriesInstanceUid, sopInstanceUid: frame.sopInstanceUid, frameNumber: frame.frameNumber, frameOfReferenceUid: plane?.frameOfReferenceUID ?? '' };
  }

  /** The annotations on screen (Cornerstone's own state): uid, tool, handles in world coordinates. */
  shownAnnotations(): ShownAnnotation[] {
    return this.annotations.shown();
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

    this.annotations.listen(on);
  }
}

function registerTools(): void {
  if (toolsRegistered) return;
  toolsRegistered = true;
  for (const tool of TOOL_CLASSES) addTool(tool);
}
