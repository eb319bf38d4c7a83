import Link from 'next/link';
import type { SignedInUser } from '../../lib/auth';
import { transferNavFor } from '../../lib/transfers/load-transfer';
import { referralCounts } from '../../lib/referrals/list-referrals';
import { getRuntime } from '../../lib/runtime';
import { ActingFacilitySwitcher } from './acting-facility-switcher';
import { ReferralNav } from './referrals/referral-nav';
import { TransferAlarm } from './transfers/transfer-alarm';

/** The bar on every signed-in page: where to go, who is signed in, and sign-out (a POST, never a link). */
export async function PortalHeader({ user }: { user: SignedInUser }) {
  // Links only; every admin page and API checks the role again on the server.
  // A privacy officer reaches their facility's emergency-access review queue through the administration too
  const isAdmin = user.memberships.some((membership) => membership.role === 'ADMIN' || membership.role === 'PRIVACY_OFFICER');
  // One entry per facility (a person may hold several roles in one)
  const facilities = user.memberships
    .filter((membership, index, all) => all.findIndex((other) => other.facilityId === membership.facilityId) === index)
    .map((membership) => ({ id: membership.facilityId, name: membership.facilityName }));
  if (user.guest) {
    // A guest expert sees their one teleconsultation and nothing else of the portal
    return (
      <header className="header">
        <span className="brand">
          Tele<span>pacs</span>
        </span>
        <nav className="nav" aria-label="Main">
          {user.guestConsultationId && <Link href={`/consultations/${user.guestConsultationId}`}>Teleconsultation</Link>}
        </nav>
        <div className="user">
          <span>{user.name} (guest)</span>
          <form method="post" action="/api/auth/sign-out">
            <button type="submit" className="button secondary small">
              Leave
            </button>
          </form>
        </div>
      </header>
    );
  }
  // The second-opinion counts (the user's own inbox and referrals only), kept live by ReferralNav
  const counts = await referralCounts(getRuntime(), user.id);
  // Emergency transfer notices (issue 17): who receives for a service hears the alarm on every page;
  // the board is theirs and the senders' (their "Sent" list)
  const { receives, sends } = await transferNavFor(getRuntime(), user);
  return (
    <>
    {receives && <TransferAlarm />}
    <header className="header">
      <Link href="/" className="brand">
        Tele<span>pacs</span>
      </Link>
      <nav className="nav" aria-label="Main">
        <Link href="/">Worklist</Link>
        <ReferralNav counts={counts} />
        {(receives || sends) && (
          <Link href="/transfers" className="nav-emergency" data-testid="nav-emergency">
            Emergency
          </Link>
        )}
        <Link href="/consultations">Teleconsultations</Link>
        <Link href="/upload">Upload</Link>
        {(isAdmin || user.nodeAdmin) && <Link href="/admin">Administration</Link>}
        {isAdmin && <Link href="/audit">Audit</Link>}
      </nav>
      <div className="user">
        {user.actingFacilityId && <ActingFacilitySwitcher facilities={facilities} actingFacilityId={user.actingFacilityId} />}
        <Link href="/account/security" title="Your account: password, second factor and API tokens">
          {user.email}
        </Link>
        <form method="post" action="/api/auth/sign-out">
          <button type="submit" className="button secondary small">
            Sign out
          </button>
        </form>
      </div>
    </header>
    </>
  );
}
