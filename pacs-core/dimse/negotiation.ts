// Presentation context negotiation (PS3.8 9.3.2.2, PS3.7 D.3.3): which
// abstract syntaxes we serve and in which transfer syntax.
import { SUPPORTED_TRANSFER_SYNTAXES } from '../dicom/transfer-syntax';
import { EXPLICIT_LE, IMPLICIT_LE, MODALITY_WORKLIST_FIND, QR_MODEL, VERIFICATION_SOP_CLASS } from './constants';

// Query/Retrieve and the Modality Worklist: identifiers decoded by dcmjs alike
const QUERY_RETRIEVE: ReadonlySet<string> = new Set([...Object.values(QR_MODEL), MODALITY_WORKLIST_FIND]);

/** The DICOM root (1.2.840.10008): standard UIDs live under it, private ones do not. */
const DICOM_ROOT = '1.2.840.10008.';
/** PS3.4 B.5: standard storage SOP classes are registered under this node (RT and others included). */
const STANDARD_STORAGE_PREFIX = '1.2.840.10008.5.1.4.1.1.';

/**
 * Whether an abstract syntax is a Storage SOP class we accept. All standard
 * storage classes, and private (vendor) SOP classes too: modalities send
 * private objects (e.g. raw data, CSA non-image) that an archive must keep
 * (PS3.4 B.4.1 level 2 conformance stores all elements).
 */
export function isStorageSopClass(uid: string): boolean {
  return uid.startsWith(STANDARD_STORAGE_PREFIX) || !uid.startsWith(DICOM_ROOT);
}

export type ContextDecision =
  | { accept: true; transferSyntaxUid: string }
  | { accept: false; reason: 'abstract-syntax-not-supported' | 'transfer-syntaxes-not-supported' };

/**
 * Storage: the first proposed transfer syntax we can store, in the requester's
 * order of preference, so the object is stored as sent (no transcoding).
 * Verification, query/retrieve and the worklist: commands and identifiers are decoded by
 * dcmjs, so only the uncompressed little endian syntaxes (PS3.5 10.1:
 * Implicit VR LE is the default every AE supports).
 */
export function decidePresentationContext(abstractSyntaxUid: string, proposed: readonly string[]): ContextDecision {
  const storage = isStorageSopClass(abstractSyntaxUid);
  if (!storage && abstractSyntaxUid !== VERIFICATION_SOP_CLASS && !QUERY_RETRIEVE.has(abstractSyntaxUid)) {
    return { accept: false, reason: 'abstract-syntax-not-supported' };
  }
  const usable = storage
    ? proposed.find((uid) => uid in SUPPORTED_TRANSFER_SYNTAXES)
    : (proposed.find((uid) => uid === EXPLICIT_LE) ?? proposed.find((uid) => uid === IMPLICIT_LE));
  return usable ? { accept: true, transferSyntaxUid: usable } : { accept: false, reason: 'transfer-syntaxes-not-supported' };
}
