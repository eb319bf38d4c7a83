'use client';
// "Claim" on a pool case of the inbox: POST /api/referrals/{id}/transitions
// {action: 'claim'}. Another expert may have been faster: the answer (409,
// "Dr X claimed this case first." when both claimed at once; 404 when the
// case had already left the pool before the click) is shown above the list,
// which is then rendered again from the server. Sent by JavaScript, so the button waits for
// hydration (docs/architecture.md).
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { useHydrated } from '../_lib/use-hydrated';
import { showInboxNotice } from './inbox-notices';

export function ClaimButton({ referralId, label }: { referralId: string; label: string }) {
  const router = useRouter();
  const hydrated = useHydrated();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const response = await fetch(`/api/referrals/${encodeURIComponent(referralId)}/transitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'claim' }),
    }).catch(() => null);
    if (response?.ok) {
      showInboxNotice({ kind: 'info', text: `You claimed the case of ${label}.`, referralId });
    } else if (response?.status === 404) {
      // Withdrawn or forwarded elsewhere meanwhile: the server no longer shows it to us
      showInboxNotice({ kind: 'error', text: `The case of ${label} is no longer waiting in your inbox: it was withdrawn or sent elsewhere.` });
    } else {
      // 409: another expert claimed it first (the server names them), or it moved on
      const answer = response ? ((await response.json().catch(() => ({}))) as { message?: string }) : {};
      showInboxNotice({ kind: 'error', text: answer.message ? `The case of ${label}: ${answer.message}` : 'The case could not be claimed: the server did not answer. Try again.' });
    }
    setBusy(false);
    router.refresh();
  };
  return (
    <form method="post" onSubmit={submit}>
      <button type="submit" className="button small" disabled={!hydrated || busy} aria-label={`Claim the case of ${label}`}>
        {busy ? 'Claiming…' : 'Claim'}
      </button>
    </form>
  );
}
