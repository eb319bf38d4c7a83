// What a report PDF shows, as plain data: the caller (lib/reports) reads the
// report, its study and its facility and hands this over; the renderer neither
// reads the database nor decides who may see what.

export const REPORT_PDF_STATUSES = ['PRELIMINARY', 'FINAL', 'AMENDED', 'ADDENDUM'] as const;
export type ReportPdfStatus = (typeof REPORT_PDF_STATUSES)[number];

/** At most this many key images are printed; more would make the report a picture book. */
export const MAX_REPORT_PDF_KEY_IMAGES = 8;

export interface ReportPdfInput {
  /** The document's title, e.g. "CT head report" (also the PDF's Title metadata) */
  documentTitle: string;
  facility: {
    name: string;
    address?: string | null;
    phone?: string | null;
    /** PNG or JPEG bytes (lib/facilities/facility-logo.ts); none prints the name only */
    logo?: Uint8Array | null;
  };
  patient: {
    /** DICOM PN, e.g. "Иванов^Иван" */
    name: string;
    mrn: string;
    /** DICOM DA (YYYYMMDD) or empty */
    birthDate?: string | null;
    /** DICOM CS: M, F, O or empty */
    sex?: string | null;
  };
  study: {
    description?: string | null;
    /** DICOM DA (YYYYMMDD) or empty */
    date?: string | null;
    accession?: string | null;
    modalities: string[];
  };
  /** DICOM PN */
  referringPhysician?: string | null;
  /** In template order: Clinical information, Technique, Comparison, Findings, Impression */
  sections: Array<{ title: string; text: string }>;
  /** The prior study compared against, as the report names it ("CT head 2026-01-10, ACC 123") */
  comparisonStudyLabel?: string | null;
  keyImages: ReportPdfKeyImage[];
  status: ReportPdfStatus;
  version: number;
  /** For AMENDED and ADDENDUM: why, and which version this one supersedes */
  amendment?: { reason: string; supersededNote: string } | null;
  /** For a signed (final, amended, addendum) report */
  /** authorName: the author, when a colleague signed it (co-signature) */
  signature?: { signerName: string; signedAt: Date; authorName?: string } | null;
}

/** A key image as printed: the rendered frame, its caption, and the annotations drawn over it. */
export interface ReportPdfKeyImage {
  /** PNG or JPEG of the whole frame (any size: it is fitted into its cell) */
  png: Uint8Array;
  caption: string;
  /** The frame's size in pixels (Columns, Rows): what the annotations' image points are measured in */
  frame?: { columns: number; rows: number };
  /** Drawn over the image in this order, numbered from 1, and listed under the caption */
  annotations?: ReportPdfAnnotation[];
}

export interface ReportPdfAnnotation {
  /** A Cornerstone3D tool name (lib/collab/protocol.ts ANNOTATION_TOOLS) */
  tool: 'Length' | 'Angle' | 'ArrowAnnotate' | 'EllipticalROI' | 'RectangleROI' | 'PlanarFreehandROI';
  /** (column, row) in pixels of the original frame, 0,0 = the top left corner of the top left pixel (PS3.3 C.18.6.1.1) */
  imagePoints: ReadonlyArray<readonly [number, number]>;
  /** ArrowAnnotate: the text at the arrow's tail */
  text?: string;
  /** The line under the caption, after the number: "Length 23.4 mm" (lib/collab/describe-annotation.ts) */
  description: string;
}
