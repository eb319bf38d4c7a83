import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
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
