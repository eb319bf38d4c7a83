// The page behind a one-time guest link: who invites to which
// teleconsultation, and a "Join" button (a POST: opening this page consumes
// nothing, so link previews and mail scanners cannot burn the link). A link
// that cannot be used says why. Styled like the other one-time link pages.
//
// Status: an unknown link answers 404 (notFound, with this segment's own
// not-found page); App Router pages cannot choose 410, so a used, expired or
// withdrawn link is shown with 200 — its join request (join/route.ts) answers 410.
import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { notFound } from 'next/navigation';
import { clientAddressFromNormalizedHeaders } from '../../../lib/auth';
import { isGuestLinkError, openGuestLink, type GuestInvitation } from '../../../lib/consult/guest-links';
import { getRuntime } from '../../../lib/runtime';
import { formatDateTime } from '../../admin/_components/format';
import { getSignedInUser } from '../../_lib/current-user';
import { BrandCard } from '../../_components/brand-card';
import { GuestLinkProblem } from './guest-link-problem';
import { JoinAsGuestButton } from './join-as-guest-button';

export const dynamic = 'force-dynamic';
// The token is in the URL: never send it on to another site.
export const metadata: Metadata = { title: 'Join a teleconsultation', referrer: 'no-referrer' };

export default async function GuestLinkPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const requestHeaders = await headers();
  const client = clientAddressFromNormalizedHeaders(requestHeaders);
  let invitation: GuestInvitation | undefined;
  let problem: string | undefined;
  try {
    invitation = await openGuestLink(getRuntime(), token, { ip: client.ip, userAgent: requestHeaders.get('user-agent') ?? undefined });
  } catch (error) {
    if (!isGuestLinkError(error)) throw error;
    if (error.reason === 'INVALID') notFound();
    problem = error.message;
  }
  const signedIn = invitation ? await getSignedInUser() : null;

  return (
    <BrandCard>
      {invitation ? (
        <>
          <p className="lead">
            <strong>{invitation.hostName}</strong>
            {invitation.facilityName && <> ({invitation.facilityName})</>} invites you, {invitation.guestName}, to the teleconsultation{' '}
            <strong>{invitation.consultationTitle ? `“${invitation.consultationTitle}”` : 'on a study'}</strong>.
          </p>
          <p style={{ fontSize: '0.9rem', color: 'var(--muted)' }}>
            You join as a guest, without an account: you will see this consultation and its images only. The link works once, until{' '}
            {formatDateTime(invitation.expiresAt)}.
          </p>
          {signedIn && !signedIn.guest && (
            <p className="alert info">
              You are signed in as {signedIn.email}. Joining as a guest signs you out in this browser.
            </p>
          )}
          <JoinAsGuestButton token={token} />
        </>
      ) : (
        <GuestLinkProblem message={problem ?? ''} />
      )}
    </BrandCard>
  );
}
