/** The OHIF viewer (served under /ohif) opened on one study, or on several side by side (prior vs current). */
export function viewerUrl(studyInstanceUids: string[]): string {
  return `/ohif/viewer?StudyInstanceUIDs=${studyInstanceUids.map(encodeURIComponent).join(',')}`;
}
