import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { PortalHeader } from '../_components/portal-header';
import { requireSignedInUser } from '../_lib/current-user';
import styles from './admin.module.css';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Administration' };

/** The facilities the user administers: straight in when there is one. */
export default async function AdministrationPage() {
  const user = await requireSignedInUser('/admin');
  const facilities = user.memberships.filter((membership) => membership.role === 'ADMIN');
  if (facilities.length === 0) notFound();
  if (facilities.length === 1) redirect(`/admin/${facilities[0].facilityId}`);
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <h1>Administration</h1>
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
