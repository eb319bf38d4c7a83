'use client';
// Around a page's images (the report page's viewer, the study page's series,
// the consultation room): when the user loses their read of this study
// (access:revoked on the page's /realtime socket, passed on by the header's
// bridge, referral-events-bridge.ts), the images are replaced at once by
// "Access to this study has ended", the viewer is unmounted (its teardown
// stops its requests) and, where the page has the in-page viewer, its image
// cache is emptied. The archive answers 404 to any request after that anyway.
import { useEffect, useState, type ReactNode } from 'react';
import type { AccessRevokedPayload } from '../../../lib/realtime/events';
import { ACCESS_REVOKED_WINDOW_EVENT } from '../referrals/referral-events-bridge';

export function AccessEndedGuard({ studyInstanceUid, facilityId, purgeViewer = false, children }: { studyInstanceUid: string; facilityId?: string; purgeViewer?: boolean; children: ReactNode }) {
  const [ended, setEnded] = useState<string | null>(null);
  useEffect(() => {
    const onRevoked = (event: Event) => {
      const payload = (event as CustomEvent<AccessRevokedPayload>).detail;
      if (payload.studyInstanceUid !== studyInstanceUid || (facilityId && payload.facilityId !== facilityId)) return;
      setEnded(payload.reason || 'the share has ended');
      if (purgeViewer) void import('../../_viewer/purge-viewer-cache').then(({ purgeViewerCache }) => purgeViewerCache()).catch(() => undefined);
    };
    window.addEventListener(ACCESS_REVOKED_WINDOW_EVENT, onRevoked);
    return () => window.removeEventListener(ACCESS_REVOKED_WINDOW_EVENT, onRevoked);
  }, [studyInstanceUid, facilityId, purgeViewer]);
  if (ended === null) return <>{children}</>;
  return (
    <div className="alert error" role="alert" data-testid="access-ended">
      <strong>Access to this study has ended: {ended.replace(/\.$/, '')}.</strong> Its images are no longer shown here.
    </div>
  );
}
