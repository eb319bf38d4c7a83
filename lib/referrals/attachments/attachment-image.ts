// A JPEG or PNG attachment as the pixels of its Secondary Capture copy: decoded
// by sharp (libvips), turned upright by its EXIF orientation (a phone photo of
// a letter), transparency laid on white, any colour space or bit depth made
// 8-bit sRGB, at most 4096 pixels a side (larger ones scaled down to fit: the
// archive copy is for reading beside the images; the file as sent stays in the
// blob store). The upload decodes once too, so that a file that starts like an
// image but is not one is refused at once rather than failing in the job.
import sharp from 'sharp';
import { DomainError } from '../../errors';

/** Decompression bombs: a 20 MB PNG can claim a billion pixels */
export const MAX_IMAGE_INPUT_PIXELS = 100_000_000;
/** The archive copy's longest side */
export const MAX_ARCHIVED_IMAGE_SIDE = 4096;

export interface AttachmentPixels {
  rows: number;
  columns: number;
  /** rows × columns × 3: RGB, 8 bits each, pixel-interleaved */
  rgb: Buffer;
  /** The picture was larger than MAX_ARCHIVED_IMAGE_SIDE and was scaled down */
  downscaled: boolean;
}

export async function attachmentImagePixels(bytes: Buffer): Promise<AttachmentPixels> {
  const image = sharp(bytes, { limitInputPixels: MAX_IMAGE_INPUT_PIXELS, failOn: 'error' });
  const { width = 0, height = 0 } = await image.metadata();
  const { data, info } = await image
    .rotate()
    .resize({ width: MAX_ARCHIVED_IMAGE_SIDE, height: MAX_ARCHIVED_IMAGE_SIDE, fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`decoded attachment image has ${info.channels} channels, not 3`);
  return { rows: info.height, columns: info.width, rgb: data, downscaled: Math.max(width, height) > MAX_ARCHIVED_IMAGE_SIDE };
}

/** The upload's check: the image decodes (within the pixel limit), or INVALID_INPUT saying why not. */
export async function checkAttachmentImage(bytes: Buffer): Promise<void> {
  try {
    await attachmentImagePixels(bytes);
  } catch (error) {
    const tooLarge = error instanceof Error && /pixel limit/i.test(error.message);
    const message = tooLarge
      ? `The image is larger than ${MAX_IMAGE_INPUT_PIXELS / 1_000_000} megapixels.`
      : 'The image cannot be read: the file is damaged or not really a JPEG or PNG.';
    throw new DomainError('INVALID_INPUT', `attachment image not decodable: ${error instanceof Error ? error.message : String(error)}`, { userMessage: message, fields: { file: message } });
  }
}
