import type { Metadata } from 'next';
import { getRuntime } from '../../../../lib/runtime';
import { viewStorageUsage } from '../../../../lib/storage/view-storage-usage';
import { AdminShell } from '../../_components/admin-shell';
import { formatBytes } from '../../_components/format';
import { requireFacilityAdmin } from '../../_lib/require-facility-admin';
import styles from '../../admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Storage · Administration' };

export default async function StoragePage({ params }: { params: Promise<{ facilityId: string }> }) {
  const { facilityId } = await params;
  const { user, facility } = await requireFacilityAdmin(facilityId, `/admin/${facilityId}/storage`);
  const { config } = getRuntime();
  const usage = await viewStorageUsage(getRuntime(), { userId: user.id }, facilityId);
  const usedShare = usage.disk && usage.disk.totalBytes > 0 ? 1 - usage.disk.freeBytes / usage.disk.totalBytes : null;
  return (
    <AdminShell user={user} facility={facility} current="storage">
      {usage.store.state === 'full' ? (
        <p className="alert error" role="alert">
          <strong>The image store is full: images sent now are refused.</strong> Modalities are answered “out of resources” (0xA700) and
          keep their images to send again; uploads fail. Free space on {usage.store.location} or enlarge it.
          {usage.store.refused ? <> {usage.store.refused.count.toLocaleString('en-GB')} image(s) refused since {usage.store.refused.since.toLocaleString('en-GB')}.</> : null}
        </p>
      ) : usage.store.state === 'failing' ? (
        <p className="alert error" role="alert">
          <strong>The image store cannot be written:</strong> {usage.store.message}
        </p>
      ) : null}
      <section className={styles.section} aria-labelledby="archive-heading">
        <h2 id="archive-heading">In the archive</h2>
        {usage.studies === 0 ? <p className={styles.empty}>No images stored for {facility.name} yet.</p> : null}
        <dl className={styles.stats}>
          <div className={styles.stat}>
            <dt>Studies</dt>
            <dd>{usage.studies.toLocaleString('en-GB')}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Series</dt>
            <dd>{usage.series.toLocaleString('en-GB')}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Images (instances)</dt>
            <dd>{usage.instances.toLocaleString('en-GB')}</dd>
          </div>
          <div className={styles.stat}>
            <dt>Size</dt>
            <dd>{formatBytes(usage.bytes)}</dd>
          </div>
        </dl>
      </section>
      <section className={styles.section} aria-labelledby="store-heading">
        <h2 id="store-heading">Image store</h2>
        <p>
          {usage.store.state === 'ok' ? 'Takes images' : usage.store.state === 'full' ? 'Full: refuses images' : 'Cannot be written'}
          <span className={styles.muted}> — {usage.store.location}</span>
          {usage.store.space ? (
            <>
              {' '}
              · <strong>{formatBytes(usage.store.space.freeBytes)}</strong> free of {formatBytes(usage.store.space.totalBytes)}
            </>
          ) : null}
        </p>
        {usage.store.message ? <p className={styles.muted}>{usage.store.message}</p> : null}
      </section>
      <section className={styles.section} aria-labelledby="disk-heading">
        <h2 id="disk-heading">Disk of the data directory</h2>
        {usage.disk ? (
          <>
            <p>
              <strong>{formatBytes(usage.disk.freeBytes)}</strong> free of {formatBytes(usage.disk.totalBytes)} {usedShare !== null && <>({Math.round(usedShare * 100)}% used) </>}
              <span className={styles.muted}>— {config.dataDir}, shared by every facility of this server</span>
            </p>
            {usedShare !== null && (
              <>
                <label htmlFor="disk-meter" className="visually-hidden">
                  Disk used
                </label>
                <meter id="disk-meter" className={styles.meter} min={0} max={1} low={0.8} high={0.9} optimum={0} value={usedShare}>
                  {Math.round(usedShare * 100)}% used
                </meter>
              </>
            )}
          </>
        ) : (
          <p className="alert warn">The free space of {config.dataDir} could not be read.</p>
        )}
      </section>
    </AdminShell>
  );
}
