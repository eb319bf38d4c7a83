import type { Metadata } from 'next';
import { AccountLinkPage } from '../account-link-page';

export const dynamic = 'force-dynamic';
// The token is in the URL: never send it on to another site.
export const metadata: Metadata = { title: 'Accept invitation', referrer: 'no-referrer' };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  return <AccountLinkPage token={token} purpose="INVITE" />;
}
