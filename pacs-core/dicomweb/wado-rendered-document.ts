// The rendered representation of an Encapsulated Document instance (PS3.3
// A.45: PDF, CDA, STL, OBJ, MTL): the document itself, in its own media type,
// MIMETypeOfEncapsulatedDocument (0042,0012). PS3.18 8.7.4 lists
// application/pdf among the rendered media types; a document has no pixels to
// turn into a JPEG, and its "consumer format" is what it already is.
//
// OHIF's dicom-pdf viewer depends on it: it puts
// .../instances/{uid}/rendered into an <object type="application/pdf"> (its
// default data source's createRenderedRetrieve, when the EncapsulatedDocument
// BulkDataURI has no query). Orthanc's DICOMweb plugin answers the same way.
//
// The document is shown inside the viewer's page, so its response may be
// framed by this origin (frame-ancestors 'self', which also covers <object>),
// and still loads and runs nothing of its own (default-src 'none').
// Found with OHIF in Chromium (test/e2e/ohif-report.test.ts): a 406 first
// ("no pixel data to render"), then the framing and embedder policies.
import { extractEncapsulatedDocument } from '../dicom/report/extract-encapsulated-document';
import { ArchiveError } from '../errors';
import { acceptHeader, describeAccept, rangeCovers } from './accept';
import type { InstanceRecord } from './wado-lookup';
import type { DicomwebRequest, DicomwebResponse } from './types';

/** Encapsulated PDF, CDA, STL, OBJ and MTL Storage (PS3.4 B.5) share this root. */
const ENCAPSULATED_DOCUMENT_SOP_CLASS_ROOT = '1.2.840.10008.5.1.4.1.1.104.';

export const EMBEDDABLE_DOCUMENT_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'self'",
  'X-Frame-Options': 'SAMEORIGIN',
  // The viewer's page is cross-origin isolated (COEP require-corp, for
  // SharedArrayBuffer): a document embedded in it must say the same, or
  // Chromium blocks it (net::ERR_BLOCKED_BY_RESPONSE) and OHIF shows
  // "No online PDF viewer installed".
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export function isEncapsulatedDocument(instance: InstanceRecord): boolean {
  return instance.sopClassUid.startsWith(ENCAPSULATED_DOCUMENT_SOP_CLASS_ROOT);
}

/** GET .../instances/{uid}/rendered of an Encapsulated Document: its document, if Accept allows its type. */
export async function renderedDocument(request: DicomwebRequest, instance: InstanceRecord): Promise<DicomwebResponse> {
  const { document, mimeType } = extractEncapsulatedDocument(await request.archive.store.get(instance.blobKey));
  const mediaType = mimeType.toLowerCase() || 'application/octet-stream';
  if (!acceptHeader(request.headers).some((range) => rangeCovers(range.mediaType, mediaType))) {
    throw new ArchiveError('NOT_ACCEPTABLE', `instance ${instance.sopInstanceUid} is an encapsulated ${mediaType} document, rendered as itself; "${describeAccept(request.headers)}" does not accept ${mediaType}`);
  }
  return {
    status: 200,
    headers: { 'Content-Type': mediaType, 'Content-Disposition': 'inline', ...EMBEDDABLE_DOCUMENT_HEADERS },
    body: document,
  };
}
