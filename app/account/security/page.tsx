import type { Metadata } from 'next';
import { secondFactorStatus } from '../../../lib/auth/second-factor/enrolment';
import { getRuntime } from '../../../lib/runtime';
import { PortalHeader } from '../../_components/portal-header';
import { SecondFactorEnrolment } from '../../_components/second-factor-enrolment';
import { requireSignedInUser } from '../../_lib/current-user';
import { formatDateTime } from '../../admin/_components/format';
import { SecondFactorManagement } from './second-factor-management';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign-in security' };

export default async function AccountSecurityPage() {
  const user = await requireSignedInUser('/account/security');
  const status = await secondFactorStatus(getRuntime(), user.id);
  return (
    <>
      <PortalHeader user={user} />
      <main id="main">
        <h1>Sign-in security</h1>
        <p>
          <a href="/account/password">Change your password</a> · <a href="/account/api-tokens">Your API tokens</a> (for scripts and other PACS)
        </p>
        <h2>Second factor</h2>
        {status.enabledAt ? (
          <>
            <p className="lead">
              On since {formatDateTime(status.enabledAt.toISOString())}: sign-in asks for a code from your authenticator app after your password.{' '}
              {status.recoveryCodesLeft} recovery code{status.recoveryCodesLeft === 1 ? '' : 's'} left.
            </p>
            {status.required && <p>Your facility requires a second factor: if you turn it off, you must set up another phone before going on.</p>}
            <SecondFactorManagement />
          </>
        ) : (
          <>
            <p className="lead">
              A code from an app on your phone, asked after your password, keeps your account safe when the password is not. Scripts and other PACS
              then use <a href="/account/api-tokens">API tokens</a>: DICOMweb refuses HTTP Basic for accounts with a second factor.
            </p>
            <SecondFactorEnrolment continueTo="/account/security" continueLabel="Done" />
          </>
        )}
      </main>
    </>
  );
}
