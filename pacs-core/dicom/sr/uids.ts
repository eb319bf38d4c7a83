// UIDs of the documents Telepacs creates: the 2.25 root (PS3.5 B.2), a UUID
// written as one decimal integer, so no registered org root is needed and two
// nodes can never collide. At most 44 characters, well under the 64 of UI.
import { createHash, randomUUID } from 'node:crypto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** PS3.5 B.2: "2.25." followed by the UUID's 128 bits as an unsigned decimal integer. */
export function uidFromUuid(uuid: string): string {
  if (!UUID.test(uuid)) throw new RangeError(`not a UUID: ${uuid}`);
  return `2.25.${BigInt(`0x${uuid.replace(/-/g, '')}`).toString(10)}`;
}

/** A new, random UID (a version 4 UUID under 2.25). */
export function newUid(): string {
  return uidFromUuid(randomUUID());
}

/**
 * The UID that stands for an identifier made elsewhere (Cornerstone's
 * annotationUID): the UUID itself under 2.25 when it is one, otherwise a
 * name-based UUID (RFC 9562 version 5 layout, SHA-1) of the identifier, so
 * the same annotation always gets the same Tracking Unique Identifier and a
 * later version of a report tracks it under the same UID.
 */
export function uidForIdentifier(identifier: string): string {
  if (UUID.test(identifier)) return uidFromUuid(identifier);
  const hash = createHash('sha1').update('telepacs-tracking-uid:').update(identifier).digest();
  const bytes = Buffer.from(hash.subarray(0, 16));
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
  return `2.25.${BigInt(`0x${bytes.toString('hex')}`).toString(10)}`;
}
