import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { PortalHeader } from '../_components/portal-header';
import { requireSignedInUser } from '../_lib/current-user';
import styles from './admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Administration' };

/** The facilities the user administers, and the node's administration for a node administrator: straight in when there is one. */
export default async function AdministrationPage() {
  const user = await requireSignedInUser('/admin');
  const facilities = user.memberships.filter((membership) => membership.role === 'ADMIN');
  // A privacy officer (not an admin there) reviews that facility's emergency access only
  const reviewed = user.memberships.filter((membership) => membership.role === 'PRIVACY_OFFICER' && !facilities.some((facility) => facility.facilityId === membership.facilityId));
  // Links only: every page behind them decides access again in lib/policy.
  if (facilities.length === 0 && reviewed.length === 0 && !user.nodeAdmin) notFound();
  // One facility: straight in (its pages link to the node's for a node administrator)
  if (facilities.length === 1 && reviewed.length === 0) redirect(`/admin/${facilities[0].facilityId}`);
  if (facilities.length === 0 && reviewed.length === 1 && !user.nodeAdmin) redirect(`/admin/${reviewed[0].facilityId}/emergency-access`);
  if (facilities.length === 0 && reviewed.length === 0) redirect('/admin/node');
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <h1>Administration</h1>
        {user.nodeAdmin && (
          <p>
            <Link href="/admin/node" className="button secondary">
              Node administration: facilities
            </Link>
          </p>
        )}
        <p className="lead">Choose the facility to administer.</p>
        <ul className={`${styles.facilityList} list`}>
          {facilities.map((facility) => (
            <li key={facility.facilityId} className="card">
              <Link href={`/admin/${facility.facilityId}`}>
                {facility.facilityName} <small>({facility.facilityCode})</small>
              </Link>
            </li>
          ))}
          {reviewed.map((facility) => (
            <li key={facility.facilityId} className="card">
              <Link href={`/admin/${facility.facilityId}/emergency-access`}>
                {facility.facilityName} <small>({facility.facilityCode})</small>: emergency access to review
              </Link>
            </li>
          ))}
        </ul>
        <p>
          <Link href="/account/api-tokens">Your API tokens</Link>
        </p>
      </main>
    </>
  );
}
