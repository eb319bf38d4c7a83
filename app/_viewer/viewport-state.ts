// One stack viewport's state in the viewer's terms: what it shows as a
// ViewportSync (what a presenter shares) and a ViewportInfo (its overlays),
// and a presenter's ViewportSync applied to it (only what differs).
import { metaData, type Types as CoreTypes } from '@cornerstonejs/core';
import type { ViewportSync } from '../../lib/collab/protocol';
import { voiRangeFromWindow, windowFromVoiRange, type VoiRange, type WindowLevel } from '../../lib/collab/window-level';
import type { SeriesStack } from './cornerstone';

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

export function syncOf(viewport: CoreTypes.IStackViewport, stack: SeriesStack): ViewportSync {
  const properties = viewport.getProperties();
  const range = properties.voiRange;
  const camera = viewport.getCamera();
  return {
    seriesInstanceUid: stack.seriesInstanceUid,
    imageIndex: viewport.getCurrentImageIdIndex(),
    voi: range ? roundedWindow(range, properties.VOILUTFunction, round) : null,
    camera:
      camera.parallelScale && camera.focalPoint
        ? { parallelScale: round(camera.parallelScale, 4), focalPoint: [round(camera.focalPoint[0], 3), round(camera.focalPoint[1], 3), round(camera.focalPoint[2], 3)] }
        : null,
    invert: Boolean(properties.invert),
  };
}

export function infoOf(viewport: CoreTypes.IStackViewport | undefined, stack: SeriesStack | null, loading: boolean, error: string | null): ViewportInfo {
  const properties = stack && viewport ? viewport.getProperties() : undefined;
  const shownWindow = properties?.voiRange ? roundedWindow(properties.voiRange, properties.VOILUTFunction, Math.round) : null;
  return {
    seriesInstanceUid: stack?.seriesInstanceUid ?? null,
    imageIndex: stack && viewport ? viewport.getCurrentImageIdIndex() : 0,
    imageCount: stack?.imageIds.length ?? 0,
    windowWidth: shownWindow?.windowWidth ?? null,
    windowCenter: shownWindow?.windowCenter ?? null,
    zoom: stack && viewport ? relativeZoom(viewport) : 1,
    loading,
    error,
  };
}

/** A presenter's window, inversion and camera on this viewport (the image is set by the caller). */
export function applyViewportSync(viewport: CoreTypes.IStackViewport, sync: ViewportSync): void {
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
}

/** Zoom as a reader reads it: 1 = the whole image fits the pane (from the image's size in mm and the pane's shape). */
function relativeZoom(viewport: CoreTypes.IStackViewport): number {
  const imageId = viewport.getCurrentImageId();
  const plane = imageId ? (metaData.get('imagePlaneModule', imageId) as { rows?: number; columns?: number; rowPixelSpacing?: number; columnPixelSpacing?: number } | undefined) : undefined;
  const { parallelScale } = viewport.getCamera();
  const { clientWidth, clientHeight } = viewport.element;
  if (!plane?.rows || !plane.columns || !parallelScale || !clientWidth || !clientHeight) return 1;
  const height = plane.rows * (plane.rowPixelSpacing || 1);
  const width = plane.columns * (plane.columnPixelSpacing || 1);
  return Math.max(height, (width * clientHeight) / clientWidth) / 2 / parallelScale;
}

/** The window a VOI range shows (lib/collab/window-level.ts), rounded for the overlay or the sync message; -0 shown as 0. */
function roundedWindow(range: VoiRange, lutFunction: string | undefined, rounding: (value: number) => number): WindowLevel {
  const { windowWidth, windowCenter } = windowFromVoiRange(range, lutFunction);
  return { windowWidth: rounding(windowWidth) + 0, windowCenter: rounding(windowCenter) + 0 };
}

export function clampIndex(index: number, length: number): number {
  return Math.max(0, Math.min(length - 1, Math.round(index)));
}

function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
