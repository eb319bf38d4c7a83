// Transfer syntaxes we accept for storage (PS3.5 Section 10, PS3.6 Annex A).
// Anything else is rejected at ingest as UNSUPPORTED: we could store it, but
// could not serve frames or render it, and silent half-support is worse.

export const TS = {
  IMPLICIT_LE: '1.2.840.10008.1.2',
  EXPLICIT_LE: '1.2.840.10008.1.2.1',
  DEFLATED_LE: '1.2.840.10008.1.2.1.99',
  EXPLICIT_BE: '1.2.840.10008.1.2.2',
} as const;

export interface TransferSyntaxInfo {
  name: string;
  encapsulated: boolean;
  /** Media type of one frame (PS3.18 Table 8.7.3-2) */
  frameMediaType: string;
}

const NATIVE = { encapsulated: false, frameMediaType: 'application/octet-stream' };

export const SUPPORTED_TRANSFER_SYNTAXES: Record<string, TransferSyntaxInfo> = {
  [TS.IMPLICIT_LE]: { name: 'Implicit VR Little Endian', ...NATIVE },
  [TS.EXPLICIT_LE]: { name: 'Explicit VR Little Endian', ...NATIVE },
  [TS.DEFLATED_LE]: { name: 'Deflated Explicit VR Little Endian', ...NATIVE },
  [TS.EXPLICIT_BE]: { name: 'Explicit VR Big Endian (retired)', ...NATIVE },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encapsulated: true, frameMediaType: 'image/dicom-rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encapsulated: true, frameMediaType: 'image/jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encapsulated: true, frameMediaType: 'image/jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless (Process 14)', encapsulated: true, frameMediaType: 'image/jpeg' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless SV1', encapsulated: true, frameMediaType: 'image/jpeg' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encapsulated: true, frameMediaType: 'image/jls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encapsulated: true, frameMediaType: 'image/jls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 Lossless', encapsulated: true, frameMediaType: 'image/jp2' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encapsulated: true, frameMediaType: 'image/jp2' },
  '1.2.840.10008.1.2.4.201': { name: 'HTJ2K Lossless', encapsulated: true, frameMediaType: 'image/jphc' },
  '1.2.840.10008.1.2.4.202': { name: 'HTJ2K Lossless RPCL', encapsulated: true, frameMediaType: 'image/jphc' },
  '1.2.840.10008.1.2.4.203': { name: 'HTJ2K', encapsulated: true, frameMediaType: 'image/jphc' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile', encapsulated: true, frameMediaType: 'video/mpeg' },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264', encapsulated: true, frameMediaType: 'video/mp4' },
  '1.2.840.10008.1.2.4.103': { name: 'MPEG-4 AVC/H.264 BD', encapsulated: true, frameMediaType: 'video/mp4' },
};

export function isSupportedTransferSyntax(uid: string): boolean {
  return uid in SUPPORTED_TRANSFER_SYNTAXES;
}
