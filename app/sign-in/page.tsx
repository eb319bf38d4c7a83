import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE_NAME } from '../../lib/auth';
import { resolvePendingSignIn } from '../../lib/auth/second-factor/pending-sign-in';
import { getRuntime } from '../../lib/runtime';
import { SecondFactorEnrolment } from '../_components/second-factor-enrolment';
import { SecondFactorForm } from './second-factor-form';
import { getSignedInUser } from '../_lib/current-user';
import { safeReturnPath } from '../_lib/return-path';
import { signInErrorMessage } from './messages';
import { SignInForm } from './sign-in-form';
import { BrandCard } from '../_components/brand-card';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const returnTo = safeReturnPath(first(params.next));
  if (await getSignedInUser()) redirect(returnTo);
  // Set when the form was posted without JavaScript and the server redirected back.
  const retry = Number(first(params.retry));
  const initialError = signInErrorMessage(first(params.error), Number.isFinite(retry) ? retry : undefined);
  // The password was right and a second factor is owed: the code, or (the
  // facility requires one) its enrolment. ?restart=1 offers the password form again.
  const pending = first(params.restart) ? null : await resolvePendingSignIn(getRuntime(), (await cookies()).get(SESSION_COOKIE_NAME)?.value);
  if (pending) {
    const restart = `/sign-in?${new URLSearchParams({ restart: '1', next: returnTo })}`;
    return (
      <BrandCard>
        {pending.stage === 'CODE' ? (
          <>
            <p className="lead">Second step for {pending.user.email}</p>
            <SecondFactorForm returnTo={returnTo} initialError={initialError} />
          </>
        ) : (
          <>
            <p className="lead">Set up a second factor for {pending.user.email}</p>
            <p>Your facility requires a code from an authenticator app at sign-in, as well as your password. Set it up now to go on.</p>
            <SecondFactorEnrolment continueTo={returnTo} continueLabel="Continue to Telepacs" />
          </>
        )}
        <p>
          <a href={restart}>Sign in as someone else</a>
        </p>
      </BrandCard>
    );
  }
  return (
    <BrandCard>
      <p className="lead">Sign in to the teleconsultation portal</p>
      {first(params.signedOut) ? (
        <p className="alert info" role="status">
          You have signed out.
        </p>
      ) : null}
      <SignInForm returnTo={returnTo} initialError={initialError} />
    </BrandCard>
  );
}
