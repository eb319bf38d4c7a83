import type { Metadata } from 'next';
import { PortalHeader } from '../../_components/portal-header';
import { requireSignedInUser } from '../../_lib/current-user';
import { ChangePasswordForm } from './change-password-form';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Change your password' };

export default async function ChangePasswordPage() {
  const user = await requireSignedInUser('/account/password');
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <p>
          <a href="/account/security">Sign-in security</a> › Password
        </p>
        <h1>Change your password</h1>
        <p className="lead">
          Signed in as {user.email}. After the change, your other browsers and devices are signed out; this one stays signed in. API tokens keep working
          (<a href="/account/api-tokens">revoke them</a> if they may be known to someone else).
        </p>
        <ChangePasswordForm />
      </main>
    </>
  );
}
