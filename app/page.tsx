import Link from 'next/link';
import { PortalHeader } from './_components/portal-header';
import { requireSignedInUser } from './_lib/current-user';

export const dynamic = 'force-dynamic';

const ROLE_LABELS: Record<string, string> = {
  ADMIN: 'Administrator',
  REFERRING: 'Referring doctor',
  EXPERT: 'Expert',
  EMERGENCY: 'Emergency team',
};

export default async function HomePage() {
  const user = await requireSignedInUser('/');
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <h1>Welcome, {user.name}</h1>
        <p className="lead">Signed in as {user.email}</p>
        <div className="facts">
          <section className="card" aria-labelledby="facilities-heading">
            <h2 id="facilities-heading" style={{ marginTop: 0 }}>
              Your facilities
            </h2>
            {user.memberships.length === 0 ? (
              <p>You are not a member of any facility yet. Ask an administrator to add you.</p>
            ) : (
              <ul className="list">
                {user.memberships.map((membership) => (
                  <li key={`${membership.facilityId}-${membership.role}`}>
                    <span>
                      {membership.facilityName} <small>({membership.facilityCode})</small>
                    </span>
                    <span className="badge">{ROLE_LABELS[membership.role] ?? membership.role}</span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="card" aria-labelledby="actions-heading">
            <h2 id="actions-heading" style={{ marginTop: 0 }}>
              Images
            </h2>
            <p>Bring in studies from a CD, a USB stick or a zip file: they are stored in your facility&apos;s archive.</p>
            <Link href="/upload" className="button">
              Upload images
            </Link>
          </section>
        </div>
      </main>
    </>
  );
}
