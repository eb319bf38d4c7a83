// The page behind a one-time link (invitation or password reset): the form
// when the link can be used, otherwise why not and what to do.
import Link from 'next/link';
import { isAdminError } from '../../lib/admin/errors';
import { findUsableAccountLink, type AccountLinkPurpose, type UsableAccountLink } from '../../lib/users/account-links';
import { getRuntime } from '../../lib/runtime';
import { ROLE_LABELS } from '../admin/_components/format';
import { AccountLinkForm } from './account-link-form';
import { BrandCard } from '../_components/brand-card';

export async function AccountLinkPage({ token, purpose }: { token: string; purpose: AccountLinkPurpose }) {
  let link: UsableAccountLink | undefined;
  let problem: string | undefined;
  try {
    link = await findUsableAccountLink(getRuntime(), token, purpose);
  } catch (error) {
    if (!isAdminError(error)) throw error;
    problem = error.message;
  }
  return (
    <BrandCard>
      {link ? (
        <>
          <p className="lead">
            {purpose === 'INVITE' && link.userId ? (
              <>
                You are invited to <strong>{link.facilityName}</strong> as {ROLE_LABELS[link.role] ?? link.role}. You already have a Telepacs
                account: enter its password to join.
              </>
            ) : purpose === 'INVITE' ? (
              <>
                You are invited to <strong>{link.facilityName}</strong> as {ROLE_LABELS[link.role] ?? link.role}. Choose your name and password.
              </>
            ) : (
              <>Choose a new password for your account.</>
            )}
          </p>
          <AccountLinkForm token={token} purpose={purpose} email={link.email} existingAccount={purpose === 'INVITE' && Boolean(link.userId)} facilityName={link.facilityName} />
        </>
      ) : (
        <>
          <h2>{purpose === 'INVITE' ? 'This invitation cannot be used' : 'This reset link cannot be used'}</h2>
          <p className="alert error" role="alert">
            {problem}
          </p>
          <p>
            <Link href="/sign-in">Go to the sign-in page</Link>
          </p>
        </>
      )}
    </BrandCard>
  );
}
