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
  // Links only: every page behind them decides access again in lib/policy.
  if (facilities.length === 0 && !user.nodeAdmin) notFound();
  // One facility: straight in (its pages link to the node's for a node administrator)
  if (facilities.length === 1) redirect(`/admin/${facilities[0].facilityId}`);
  if (facilities.length === 0) redirect('/admin/node');
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
        </ul>
        <p>
          <Link href="/account/api-tokens">Your API tokens</Link>
        </p>
      </main>
    </>
  );
}
