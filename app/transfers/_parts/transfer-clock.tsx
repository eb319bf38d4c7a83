'use client';
// The live times of a notice: "ETA 14:35 · in 12 min" (or "12 min late"), "2 h 5 min since
// onset". The server's HTML says UTC (it cannot know the reader's zone); the browser then
// shows local time and ticks every 15 s. Same text on both sides until hydration.
import { useEffect, useState } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import { clockText, durationText } from '../../referrals/_case/case-time';
import styles from './transfers.module.css';

const SHORT_LOCAL = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const SHORT_UTC = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

function useNow(active: boolean): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

export function ShortTime({ iso }: { iso: string }) {
  const hydrated = useHydrated();
  const at = new Date(iso);
  return <time dateTime={iso} title={clockText(at, hydrated)}>{hydrated ? SHORT_LOCAL.format(at) : `${SHORT_UTC.format(at)} UTC`}</time>;
}

/** "14:35 · in 12 min" / "14:35 · 3 min late"; `open` false: the time only */
export function EtaCountdown({ iso, open }: { iso: string; open: boolean }) {
  const hydrated = useHydrated();
  const now = useNow(hydrated && open);
  const at = new Date(iso).getTime();
  return (
    <span data-testid="eta">
      <ShortTime iso={iso} />
      {open && now !== null && (at >= now ? <span> · in {durationText(at - now)}</span> : <strong className={styles.late}> · {durationText(now - at)} late</strong>)}
    </span>
  );
}

/** "2 h 5 min" since the onset (or last known well), live */
export function SinceOnset({ iso, lastKnownWell }: { iso: string | null; lastKnownWell: boolean }) {
  const hydrated = useHydrated();
  const now = useNow(hydrated && iso !== null);
  if (!iso) return <span>Unknown</span>;
  return (
    <span data-testid="since-onset">
      {now !== null ? `${durationText(now - new Date(iso).getTime())} ` : ''}
      <small>
        ({lastKnownWell ? 'last known well' : 'onset'} <ShortTime iso={iso} />)
      </small>
    </span>
  );
}
