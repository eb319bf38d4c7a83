// Links into the OHIF viewer served under /ohif (lib/ohif/serve-ohif.ts).

export const OHIF_BASE_PATH = '/ohif';

/**
 * The viewer opened directly on a study, optionally beside another one to
 * compare with (OHIF takes several comma-separated StudyInstanceUIDs and
 * loads them in one layout).
 */
export function ohifViewerUrl(studyInstanceUid: string, compareWith?: string): string {
  const studies = compareWith && compareWith !== studyInstanceUid ? [studyInstanceUid, compareWith] : [studyInstanceUid];
  // UIDs are digits and dots (PS3.5 9.1); encoded anyway, the comma kept readable.
  return `${OHIF_BASE_PATH}/viewer?StudyInstanceUIDs=${studies.map(encodeURIComponent).join(',')}`;
}
