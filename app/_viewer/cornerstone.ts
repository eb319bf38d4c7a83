// Cornerstone3D for the portal's viewer (the teleconsultation room, the
// report page): initialised once per page, the DICOM image loader reading
// our own /dicomweb (same origin: the session cookie goes with every
// request, the archive applies the user's scope).
// Browser only: imported from a component loaded with ssr: false.
import { init as initCore, getRenderingEngine, RenderingEngine, setUseCPURendering } from '@cornerstonejs/core';
import { init as initDicomImageLoader, wadors } from '@cornerstonejs/dicom-image-loader';
import { init as initTools } from '@cornerstonejs/tools';

export const RENDERING_ENGINE_ID = 'telepacs-viewer';

let ready: Promise<void> | undefined;

export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    // Cornerstone picks CPU rendering by itself where WebGL is missing. Where
    // WebGL is only emulated in software (no GPU: thin clients, virtual
    // desktops, headless Chromium), its CPU path draws a stack faster:
    // measured by bench/collab-latency.ts, see bench/README.md.
    initCore();
    if (softwareWebgl()) setUseCPURendering(true);
    // Two decode workers at most: hospital workstations are often small, and
    // a stack viewport decodes one frame at a time in the visible order.
    initDicomImageLoader({ maxWebWorkers: Math.min(2, Math.max(1, (navigator.hardwareConcurrency || 2) - 1)) });
    initTools();
  })();
  return ready;
}

/** True when the browser's WebGL runs on the CPU (SwiftShader, llvmpipe) rather than a GPU. */
function softwareWebgl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}

export function renderingEngine(): RenderingEngine {
  return (getRenderingEngine(RENDERING_ENGINE_ID) as RenderingEngine | undefined) ?? new RenderingEngine(RENDERING_ENGINE_ID);
}

type DicomJson = Record<string, { vr?: string; Value?: unknown[] } | undefined>;

const first = (instance: DicomJson, tag: string): unknown => instance[tag]?.Value?.[0];
const numberOf = (instance: DicomJson, tag: string): number | undefined => {
  const value = first(instance, tag);
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(number) ? number : undefined;
};

export interface SeriesStack {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** wadors: image ids, one per frame, in display order */
  imageIds: string[];
  /** For each image id: the instance and 1-based frame it shows */
  frames: { sopInstanceUid: string; frameNumber: number }[];
  modality: string;
}

const stacks = new Map<string, Promise<SeriesStack>>();

/**
 * A series as a stack of image ids: the WADO-RS series metadata (one request,
 * precomputed by the archive), each instance's header handed to the image
 * loader, instances ordered by position along the slice normal when they have
 * one (the clinical order for CT/MR), else by InstanceNumber.
 */
export function loadSeriesStack(studyInstanceUid: string, seriesInstanceUid: string): Promise<SeriesStack> {
  const key = `${studyInstanceUid}/${seriesInstanceUid}`;
  let stack = stacks.get(key);
  if (!stack) {
    stack = fetchSeriesStack(studyInstanceUid, seriesInstanceUid);
    stacks.set(key, stack);
    stack.catch(() => stacks.delete(key));
  }
  return stack;
}

async function fetchSeriesStack(studyInstanceUid: string, seriesInstanceUid: string): Promise<SeriesStack> {
  const base = `${window.location.origin}/dicomweb/studies/${studyInstanceUid}/series/${seriesInstanceUid}`;
  const response = await fetch(`${base}/metadata`, { headers: { accept: 'application/dicom+json' }, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`The series could not be loaded (${response.status})`);
  const instances = ((await response.json()) as DicomJson[]).filter((instance) => first(instance, '00280010') !== undefined); // images only (Rows)
  const ordered = orderInstances(instances);
  const imageIds: string[] = [];
  const frames: SeriesStack['frames'] = [];
  for (const instance of ordered) {
    const sopInstanceUid = String(first(instance, '00080018'));
    const count = Math.max(1, numberOf(instance, '00280008') ?? 1);
    for (let frame = 1; frame <= count; frame++) {
      const imageId = `wadors:${base}/instances/${sopInstanceUid}/frames/${frame}`;
      wadors.metaDataManager.add(imageId, instance as never);
      imageIds.push(imageId);
      frames.push({ sopInstanceUid, frameNumber: frame });
    }
  }
  return { studyInstanceUid, seriesInstanceUid, imageIds, frames, modality: String(first(ordered[0] ?? {}, '00080060') ?? '') };
}

function orderInstances(instances: DicomJson[]): DicomJson[] {
  const orientation = instances[0]?.['00200037']?.Value as number[] | undefined;
  const withPosition = instances.every((instance) => (instance['00200032']?.Value?.length ?? 0) === 3);
  if (orientation?.length === 6 && withPosition) {
    // PS3.3 C.7.6.2.1.1: the slice normal is row × column direction cosine
    const [rx, ry, rz, cx, cy, cz] = orientation.map(Number);
    const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
    const distance = (instance: DicomJson) => {
      const [x, y, z] = (instance['00200032']?.Value as number[]).map(Number);
      return x * normal[0] + y * normal[1] + z * normal[2];
    };
    const distances = new Set(instances.map(distance));
    // Head first: highest position along the normal at the top of the stack (as OHIF shows axial CT)
    if (distances.size === instances.length) return [...instances].sort((a, b) => distance(b) - distance(a));
  }
  return [...instances].sort((a, b) => (numberOf(a, '00200013') ?? 0) - (numberOf(b, '00200013') ?? 0));
}
