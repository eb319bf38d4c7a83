// A signed report's key images: each referenced frame rendered to PNG by the
// archive's own WADO rendering (pacs-core/dicomweb/wado-rendered.ts, the code
// behind .../frames/{n}/rendered, with the image's own window), for the PDF;
// and each as an image reference (series, SOP class and instance, frame of a
// multi-frame image) for the SR's Key Images container.
import type { Archive } from '../../pacs-core/archive';
import type { ReportKeyImage } from '../../pacs-core/dicom/report/report-sr';
import { renderInstanceFrame } from '../../pacs-core/dicomweb/wado-rendered';
import { instanceSelect, toInstanceRecord } from '../../pacs-core/dicomweb/wado-lookup';
import { MAX_REPORT_PDF_KEY_IMAGES } from './pdf/report-pdf-input';
import type { KeyImage } from './report-types';

/** The longest side of a key image in the PDF, in pixels (printed about 8 cm wide) */
const KEY_IMAGE_PIXELS = 512;

export interface RenderedKeyImages {
  /** For the PDF: at most MAX_REPORT_PDF_KEY_IMAGES, in the report's order */
  printed: Array<{ png: Uint8Array; caption: string }>;
  /** For the SR: every key image */
  references: ReportKeyImage[];
}

/** Throws when a key image is no longer in the study's copy (the signature then fails and says so). */
export async function renderKeyImages(archive: Archive, studyRef: string, keyImages: readonly KeyImage[]): Promise<RenderedKeyImages> {
  const printed: RenderedKeyImages['printed'] = [];
  const references: ReportKeyImage[] = [];
  for (const [index, image] of keyImages.entries()) {
    const row = await archive.db.instance.findFirst({
      where: { sopInstanceUid: image.sopUid, series: { studyRef, seriesInstanceUid: image.seriesUid } },
      select: { ...instanceSelect, series: { select: { seriesInstanceUid: true, seriesNumber: true, description: true } } },
    });
    if (!row) throw new Error(`key image ${index + 1} (${image.sopUid}) is no longer in the study`);
    const instance = toInstanceRecord(row);
    references.push({
      seriesInstanceUid: instance.seriesInstanceUid,
      sopInstanceUid: instance.sopInstanceUid,
      sopClassUid: instance.sopClassUid,
      // PS3.3 C.18.4: ReferencedFrameNumber only for a multi-frame image
      ...(instance.numberOfFrames > 1 ? { frameNumber: image.frame } : {}),
    });
    if (printed.length >= MAX_REPORT_PDF_KEY_IMAGES) continue;
    const rendered = await renderInstanceFrame({ archive }, instance, image.frame, { format: 'png', viewport: { width: KEY_IMAGE_PIXELS, height: KEY_IMAGE_PIXELS } });
    const series = [row.series.seriesNumber !== null ? `Series ${row.series.seriesNumber}` : 'Series', row.series.description].filter(Boolean).join(' ');
    const frame = instance.numberOfFrames > 1 ? `, frame ${image.frame}` : '';
    printed.push({ png: rendered.body, caption: `${index + 1}. ${series}, image ${instance.instanceNumber ?? '?'}${frame}` });
  }
  return { printed, references };
}
