// Drops what the in-page viewer holds of a study the reader may no longer
// see: the queued image requests (so nothing more is fetched) and the decoded
// images in cornerstone's cache (so nothing is drawn again from memory).
import { cache, Enums, imageLoadPoolManager } from '@cornerstonejs/core';

export function purgeViewerCache(): void {
  for (const type of Object.values(Enums.RequestType)) imageLoadPoolManager.clearRequestStack(type);
  cache.purgeCache();
}
