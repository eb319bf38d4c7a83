'use client';
// The header's "Second opinions" entry: the open cases of the user's inbox,
// the stat ones among them in red, and "My referrals" when one of the user's
// own cases waits for them (a question, a signed report, a refusal). The
// server renders the first counts (lib/referrals referralCounts); every
// referral:changed event (this component opens the page's socket) fetches
// them again from GET /api/referrals/counts. A growing stat count is a new
// stat case: the alert the user chose sounds (stat-alert.ts).
import Link from 'next/link';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReferralCounts } from '../../../lib/referrals/list-referrals';
import { useReferralChanged, useReferralEventsSocket } from './referral-events-bridge';
import { raiseStatAlert } from './stat-alert';

export function ReferralNav({ counts: initial }: { counts: ReferralCounts }) {
  const [counts, setCounts] = useState(initial);
  const asked = useRef(0);
  const lastStat = useRef(initial.stat);
  useEffect(() => setCounts(initial), [initial]);
  useEffect(() => {
    if (counts.stat > lastStat.current) raiseStatAlert();
    lastStat.current = counts.stat;
  }, [counts.stat]);

  useReferralEventsSocket();
  useReferralChanged(
    useCallback(async () => {
      const mine = ++asked.current;
      const response = await fetch('/api/referrals/counts', { cache: 'no-store' }).catch(() => null);
      if (!response?.ok) return;
      const answer = (await response.json()) as ReferralCounts;
      // An older answer arriving after a newer one is dropped
      if (mine === asked.current) setCounts(answer);
    }, []),
  );

  return (
    <span className="nav-referrals">
      <Link href="/referrals" data-testid="nav-referrals">
        Second opinions
        {counts.inbox > 0 && (
          <span className="badge nav-count" data-testid="nav-referrals-open">
            <span className="visually-hidden">, </span>
            {counts.inbox}
            <span className="visually-hidden"> open</span>
          </span>
        )}
        {counts.stat > 0 && (
          <span className="badge nav-count stat" data-testid="nav-referrals-stat">
            <span className="visually-hidden">, </span>
            {counts.stat} stat
          </span>
        )}
      </Link>
      {counts.myReferralsNeedingMe > 0 && (
        <Link
          href="/referrals?box=mine"
          className="badge nav-count news"
          data-testid="nav-my-referrals"
          title="Your referrals with a question, a signed report or a refusal waiting for you"
        >
          My referrals: {counts.myReferralsNeedingMe}
        </Link>
      )}
    </span>
  );
}
