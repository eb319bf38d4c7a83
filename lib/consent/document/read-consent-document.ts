// A consent's evidence PDF as it was kept, for the download route: the bytes
// from the archive's blob store (not the DICOM copy), checked against the
// SHA-256 taken when it was written. The caller decides that the user may see
// the patient's consents (lib/policy); nothing here looks at who asks.
import { createHash } from 'node:crypto';
import type { Archive } from '../../../pacs-core/archive';
import { isArchiveError } from '../../../pacs-core/errors';
import type { Database } from '../../../prisma/database';
import { DomainError } from '../../errors';

export interface ConsentDocumentFile {
  /** "consent-2026-12-07-<consentId>.pdf" */
  fileName: string;
  bytes: Buffer;
}

function notFound(message: string): DomainError {
  return new DomainError('NOT_FOUND', message, { userMessage: 'Not found.' });
}

/** The PDF; NOT_FOUND for an unknown consent, one without a document (EXTERNAL), or bytes no longer in the store. */
export async function readConsentDocument(context: { db: Database; archive: Pick<Archive, 'store'> }, consentId: string): Promise<ConsentDocumentFile> {
  const row = await context.db.consent.findUnique({ where: { id: consentId }, select: { documentKey: true, documentSha256: true, recordedAt: true } });
  if (!row) throw notFound(`consent ${consentId} not found`);
  if (!row.documentKey || !row.documentSha256) throw notFound(`consent ${consentId} has no document`);
  let bytes: Buffer;
  try {
    bytes = await context.archive.store.get(row.documentKey);
  } catch (error) {
    if (isArchiveError(error) && error.code === 'NOT_FOUND') throw notFound(`consent ${consentId}: its document (${row.documentKey}) is not in the blob store`);
    throw error;
  }
  // Damage on disk is not the user's to see as a file: a bug-class failure, logged by the route's mapper
  if (createHash('sha256').update(bytes).digest('hex') !== row.documentSha256) throw new Error(`consent ${consentId}: the stored document (${row.documentKey}) does not match its sha256`);
  return { fileName: `consent-${row.recordedAt.toISOString().slice(0, 10)}-${consentId}.pdf`, bytes };
}
