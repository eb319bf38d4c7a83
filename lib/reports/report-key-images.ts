// A signed report's key images: each referenced frame rendered to PNG by the
// archive's own WADO rendering (pacs-core/dicomweb/wado-rendered.ts, the code
// behind .../frames/{n}/rendered, with the image's own window), for the PDF;
// and each as an image reference (series, SOP class and instance, frame of a
// multi-frame image) for the SR's Key Images container. Each carries the
// annotations kept with it (report-types.ts KeyImageAnnotation): drawn over
// the printed image and listed under its caption in the PDF, written as
// measurements on the image in the SR.
import type { Archive } from '../../pacs-core/archive';
import type { ReportKeyImage } from '../../pacs-core/dicom/report/report-sr';
import { renderInstanceFrame } from '../../pacs-core/dicomweb/wado-rendered';
import { instanceSelect, toInstanceRecord } from '../../pacs-core/dicomweb/wado-lookup';
import { describeAnnotation } from '../collab/describe-annotation';
import { MAX_REPORT_PDF_KEY_IMAGES, type ReportPdfKeyImage } from './pdf/report-pdf-input';
import type { KeyImage } from './report-types';

/** The longest side of a key image in the PDF, in pixels (printed about 8 cm wide) */
const KEY_IMAGE_PIXELS = 512;

export interface RenderedKeyImages {
  /** For the PDF: at most MAX_REPORT_PDF_KEY_IMAGES, in the report's order */
  printed: ReportPdfKeyImage[];
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
    const annotations = image.annotations ?? [];
    references.push({
      seriesInstanceUid: instance.seriesInstanceUid,
      sopInstanceUid: instance.sopInstanceUid,
      sopClassUid: instance.sopClassUid,
      // PS3.3 C.18.4: ReferencedFrameNumber only for a multi-frame image
      ...(instance.numberOfFrames > 1 ? { frameNumber: image.frame } : {}),
      measurements: annotations.map(({ tool, imagePoints, points, text, stats }) => ({ tool, imagePoints, worldPoints: points, text, values: stats })),
    });
    if (printed.length >= MAX_REPORT_PDF_KEY_IMAGES) continue;
    const rendered = await renderInstanceFrame({ archive }, instance, image.frame, { format: 'png', viewport: { width: KEY_IMAGE_PIXELS, height: KEY_IMAGE_PIXELS } });
    const seriesName = row.series.seriesNumber !== null ? `Series ${row.series.seriesNumber}` : 'Series';
    // A description that only repeats the name ("Series 1") is said once
    const description = row.series.description?.trim();
    const series = description && description.toLowerCase() !== seriesName.toLowerCase() ? `${seriesName} ${description}` : seriesName;
    const frame = instance.numberOfFrames > 1 ? `, frame ${image.frame}` : '';
    const header = JSON.parse(instance.metadata) as Record<string, { Value?: unknown[] } | undefined>;
    const columns = Number(header['00280011']?.Value?.[0]);
    const rows = Number(header['00280010']?.Value?.[0]);
    printed.push({
      png: rendered.body,
      // The renderer numbers the captions
      caption: `${series}, image ${instance.instanceNumber ?? '?'}${frame}`,
      ...(columns > 0 && rows > 0 ? { frame: { columns, rows } } : {}),
      annotations: annotations.map((annotation) => ({ tool: annotation.tool, imagePoints: annotation.imagePoints, text: annotation.text, description: describeAnnotation(annotation) })),
    });
  }
  return { printed, references };
}
