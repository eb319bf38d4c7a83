// Renders one frame of a DICOM image to JPEG or PNG (PS3.18 8.3.5 rendered
// resources, section 9 WADO-URI): dcmjs-imaging decodes (with its own WASM
// codecs for compressed syntaxes) and applies modality + VOI LUT to 8-bit
// RGBA; sharp crops, scales and encodes.
//
// The pipeline takes a *naturalized* dataset (keyword-keyed, as dcmjs
// produces) so callers can hand it just one frame and the header from the
// database, without reading a whole multi-frame file.
import sharp from 'sharp';
import { ArchiveError } from '../errors';
import { loadImaging } from './render-codecs';

export type VoiLutFunction = 'LINEAR' | 'LINEAR_EXACT' | 'SIGMOID';

export interface RenderWindow {
  center: number;
  width: number;
  /** PS3.3 C.11.2.1.3 VOI LUT Function; LINEAR when absent */
  fn: VoiLutFunction;
}

/** PS3.18 8.3.5.1.3 viewport: output size, optionally a source region (negative sw/sh = flipped). */
export interface RenderViewport {
  /** undefined = derived from the other dimension, preserving aspect ratio */
  width?: number;
  height?: number;
  region?: { sx: number; sy: number; sw: number; sh: number };
}

export interface RenderOptions {
  format: 'jpeg' | 'png';
  /** JPEG quality 1..100 (PS3.18 8.3.5.1.2 `quality`) */
  quality?: number;
  window?: RenderWindow;
  viewport?: RenderViewport;
  /** WADO-URI `region`: normalized [0,1] source rectangle (PS3.18 9.1.2.3) */
  normalizedRegion?: { x1: number; y1: number; x2: number; y2: number };
}

export interface FrameToRender {
  /** naturalized dataset, PixelData = one ArrayBuffer per frame (or the native pixel data) */
  elements: Record<string, unknown>;
  transferSyntaxUid: string;
  /** 0-based frame within `elements` */
  frame: number;
}

export interface RenderedImage {
  body: Buffer;
  width: number;
  height: number;
  contentType: 'image/jpeg' | 'image/png';
}

export async function renderFrame(input: FrameToRender, options: RenderOptions): Promise<RenderedImage> {
  const { DicomImage, WindowLevel } = await loadImaging();
  const elements = { ...input.elements };
  // dcmjs-imaging applies the dataset's VOI LUT Function; a requested window
  // brings its own function (PS3.18 8.3.5.1.2 `window=center,width,function`).
  if (options.window) elements.VOILUTFunction = options.window.fn;
  const image = new DicomImage(elements, input.transferSyntaxUid);
  let rendered: ReturnType<typeof image.render>;
  try {
    rendered = image.render({
      frame: input.frame,
      // WindowLevel takes (window width, window level=center): note the order.
      windowLevel: options.window ? new WindowLevel(options.window.width, options.window.center) : undefined,
      // Overlays are burnt in by the viewer when wanted, not in a thumbnail.
      renderOverlays: false,
    });
  } catch (error) {
    throw new ArchiveError('NOT_ACCEPTABLE', `this image cannot be rendered: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { width, height } = rendered;
  let pipeline = sharp(Buffer.from(rendered.pixels), { raw: { width, height, channels: 4 } });

  const region = options.viewport?.region ?? normalizedToPixels(options.normalizedRegion, width, height);
  if (region) {
    const left = Math.max(0, Math.round(region.sw < 0 ? region.sx + region.sw : region.sx));
    const top = Math.max(0, Math.round(region.sh < 0 ? region.sy + region.sh : region.sy));
    const regionWidth = Math.min(Math.round(Math.abs(region.sw)), width - left);
    const regionHeight = Math.min(Math.round(Math.abs(region.sh)), height - top);
    if (regionWidth < 1 || regionHeight < 1) throw new ArchiveError('BAD_REQUEST', 'the requested region lies outside the image');
    pipeline = sharp(await pipeline.extract({ left, top, width: regionWidth, height: regionHeight }).raw().toBuffer(), {
      raw: { width: regionWidth, height: regionHeight, channels: 4 },
    });
    if (region.sw < 0) pipeline = pipeline.flop();
    if (region.sh < 0) pipeline = pipeline.flip();
  }

  const target = options.viewport;
  if (target && (target.width || target.height)) {
    // PS3.18 8.3.5.1.3: scale to fit the viewport, preserving the aspect ratio.
    pipeline = pipeline.resize({ width: target.width, height: target.height, fit: 'inside' });
  }
  pipeline = pipeline.removeAlpha();
  const output =
    options.format === 'png'
      ? await pipeline.png().toBuffer({ resolveWithObject: true })
      : await pipeline.jpeg({ quality: options.quality ?? 90 }).toBuffer({ resolveWithObject: true });
  return {
    body: output.data,
    width: output.info.width,
    height: output.info.height,
    contentType: options.format === 'png' ? 'image/png' : 'image/jpeg',
  };
}

function normalizedToPixels(
  region: RenderOptions['normalizedRegion'],
  width: number,
  height: number,
): RenderViewport['region'] | undefined {
  if (!region) return undefined;
  return {
    sx: region.x1 * width,
    sy: region.y1 * height,
    sw: (region.x2 - region.x1) * width,
    sh: (region.y2 - region.y1) * height,
  };
}
