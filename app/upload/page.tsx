import type { Metadata } from 'next';
import { storeFacilityFor } from '../../lib/policy';
import { getRuntime } from '../../lib/runtime';
import { PortalHeader } from '../_components/portal-header';
import { requireSignedInUser } from '../_lib/current-user';
import { UploadPanel } from './upload-panel';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Upload images' };

export default async function UploadPage() {
  const user = await requireSignedInUser('/upload');
  const { config } = getRuntime();
  const facilityId = await storeFacilityFor(getRuntime(), user.id, user.actingFacilityId);
  const facility = user.memberships.find((membership) => membership.facilityId === facilityId);
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <h1>Upload images</h1>
        {facility ? (
          <>
            <p className="lead">
              Images are stored in the archive of <strong>{facility.facilityName}</strong>. Files that are not DICOM are reported,
              not stored.
            </p>
            <UploadPanel limits={{ maxPartBytes: config.stow.maxPartBytes, maxRequestBytes: config.stow.maxRequestBytes }} />
          </>
        ) : (
          <p className="alert warn">Your account has no facility role that may store images. Ask your facility administrator.</p>
        )}
      </main>
    </>
  );
}
