// The checks a consent's evidence passes before anything is rendered or
// stored (issue 16, "Bad input"): a signature drawn on screen must be a PNG
// that decodes and is not blank (a canvas left empty is all transparent or all
// white), a scanned form a PDF or JPEG by its first bytes (not its name or the
// type the browser declared), at most 20 MB, a JPEG one that decodes.
// Each refusal names its form field (`signature`, `scan`) so the signing
// screen shows the message where the patient or clinician looks.
import sharp from 'sharp';
import { DomainError } from '../../errors';
import { sniffContentType } from '../../referrals/attachments/attachment-files';

/** 20 MB, as a case's attachment: a scanned form of a few pages, not a study */
export const MAX_SCAN_BYTES = 20 * 1024 * 1024;
/** A canvas's PNG is tens of kilobytes; this leaves room for a high-density screen */
export const MAX_SIGNATURE_BYTES = 5 * 1024 * 1024;
/** 4096 × 4096: larger than any signing pad, small enough to decode without risk */
const MAX_SIGNATURE_PIXELS = 4096 * 4096;
const MAX_SCAN_PIXELS = 100_000_000;

/**
 * A pixel is ink when it is not (almost) transparent and not (almost) white:
 * a canvas cleared to white or left transparent has none, the faintest
 * anti-aliased edge of a stroke is still darker than this.
 */
const INK_MIN_ALPHA = 16;
const INK_MAX_CHANNEL = 240;

export const SIGNATURE_MESSAGES = {
  missing: 'Sign in the box: the signature is missing.',
  notPng: 'The signature could not be read: it is not a PNG image. Sign again.',
  tooLarge: `The signature image is larger than ${MAX_SIGNATURE_BYTES / (1024 * 1024)} MB.`,
  blank: 'The signature box is empty: the patient or representative signs in the box before it is saved.',
} as const;

export const SCAN_MESSAGES = {
  missing: 'Upload the scanned consent form (a PDF or JPEG file).',
  notType: 'The scanned form must be a PDF or JPEG file.',
  tooLarge: `The scanned form is larger than ${MAX_SCAN_BYTES / (1024 * 1024)} MB.`,
  unreadable: 'The scanned image cannot be read: the file is damaged or not really a JPEG.',
} as const;

function signatureRefused(message: string, detail: string): DomainError {
  return new DomainError('INVALID_INPUT', `consent signature refused: ${detail}`, { userMessage: message, fields: { signature: message } });
}

function scanRefused(message: string, detail: string): DomainError {
  return new DomainError('INVALID_INPUT', `consent scan refused: ${detail}`, { userMessage: message, fields: { scan: message } });
}

/**
 * The signature as it goes into the PDF: decoded (so a file that only starts
 * like a PNG is refused here, not in pdfkit), checked for ink, and written
 * again as a plain 8-bit PNG laid on white (pdfkit's PNG reader knows fewer
 * variants than libvips does: 16-bit, palette with transparency, interlaced).
 */
export async function checkSignaturePng(bytes: Buffer | null): Promise<Buffer> {
  if (!bytes || bytes.length === 0) throw signatureRefused(SIGNATURE_MESSAGES.missing, 'no signature image');
  if (bytes.length > MAX_SIGNATURE_BYTES) throw signatureRefused(SIGNATURE_MESSAGES.tooLarge, `${bytes.length} bytes`);
  if (sniffContentType(bytes) !== 'image/png') throw signatureRefused(SIGNATURE_MESSAGES.notPng, 'not a PNG by its first bytes');
  let raw: { data: Buffer; info: sharp.OutputInfo };
  try {
    raw = await sharp(bytes, { limitInputPixels: MAX_SIGNATURE_PIXELS, failOn: 'error' }).ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw signatureRefused(SIGNATURE_MESSAGES.notPng, `does not decode: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!hasInk(raw.data, raw.info.channels)) throw signatureRefused(SIGNATURE_MESSAGES.blank, `${raw.info.width}×${raw.info.height} without a drawn pixel`);
  return sharp(bytes).flatten({ background: '#ffffff' }).toColourspace('srgb').png({ palette: false }).toBuffer();
}

function hasInk(rgba: Buffer, channels: number): boolean {
  for (let at = 0; at + channels - 1 < rgba.length; at += channels) {
    if (rgba[at + channels - 1] < INK_MIN_ALPHA) continue;
    // Gray + alpha has one colour channel, RGBA three
    for (let channel = 0; channel < channels - 1; channel += 1) {
      if (rgba[at + channel] <= INK_MAX_CHANNEL) return true;
    }
  }
  return false;
}

export type ScanKind = 'application/pdf' | 'image/jpeg';

/** What the scan is (by its first bytes), or INVALID_INPUT at `scan`; a JPEG must decode. */
export async function checkScan(scan: { bytes: Buffer } | null): Promise<ScanKind> {
  if (!scan || scan.bytes.length === 0) throw scanRefused(SCAN_MESSAGES.missing, 'no file');
  if (scan.bytes.length > MAX_SCAN_BYTES) {
    throw new DomainError('PAYLOAD_TOO_LARGE', `consent scan of ${scan.bytes.length} bytes, over ${MAX_SCAN_BYTES}`, { userMessage: SCAN_MESSAGES.tooLarge, fields: { scan: SCAN_MESSAGES.tooLarge } });
  }
  const kind = sniffContentType(scan.bytes);
  if (kind !== 'application/pdf' && kind !== 'image/jpeg') throw scanRefused(SCAN_MESSAGES.notType, `first bytes say ${kind ?? 'neither PDF nor JPEG'}`);
  if (kind === 'image/jpeg') {
    try {
      await sharp(scan.bytes, { limitInputPixels: MAX_SCAN_PIXELS, failOn: 'error' }).stats();
    } catch (error) {
      throw scanRefused(SCAN_MESSAGES.unreadable, `JPEG does not decode: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return kind;
}
