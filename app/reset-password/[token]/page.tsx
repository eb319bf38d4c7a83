import type { Metadata } from 'next';
import { AccountLinkPage } from '../../invite/account-link-page';

export const dynamic = 'force-dynamic';
// The token is in the URL: never send it on to another site.
export const metadata: Metadata = { title: 'Set a new password', referrer: 'no-referrer' };

export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <AccountLinkPage token={token} purpose="RESET" />;
}
