// Where a report's page is: the study's own report, or a second-opinion
// case's (?referral=), optionally at one version. Every link and reload of the
// report page goes through this, so a case's report never falls back to the study's.
export function reportPagePath(studyInstanceUid: string, referralId: string | null, version?: number): string {
  const query = new URLSearchParams();
  if (referralId) query.set('referral', referralId);
  if (version !== undefined) query.set('version', String(version));
  const search = query.toString();
  return `/studies/${studyInstanceUid}/report${search ? `?${search}` : ''}`;
}
