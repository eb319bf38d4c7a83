'use client';
// Times on the case pages: the server's HTML says UTC (it cannot know the
// reader's zone), the browser then shows local time; a due time counts down
// (or says how long it is overdue) and ticks every 30 s. Same text on both
// sides until hydration, so React never sees a mismatch.
import { useEffect, useState } from 'react';
import { useHydrated } from '../../_lib/use-hydrated';
import styles from './case.module.css';

const LOCAL = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
const UTC = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

export function clockText(at: Date, local: boolean): string {
  return local ? LOCAL.format(at) : `${UTC.format(at)} UTC`;
}

/** "45 min", "5 h 10 min", "3 days" */
export function durationText(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} days ${hours % 24} h` : `${days} days`;
}

export function LocalTime({ iso }: { iso: string }) {
  const hydrated = useHydrated();
  return <time dateTime={iso}>{clockText(new Date(iso), hydrated)}</time>;
}

function useNow(hydrated: boolean): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    if (!hydrated) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [hydrated]);
  return now;
}

/** The due time with "in 42 min" / "overdue by 5 min" once the browser knows the time; `open` false: no countdown (a finished case) */
export function DueTime({ iso, open, overdue }: { iso: string; open: boolean; overdue: boolean }) {
  const hydrated = useHydrated();
  const now = useNow(hydrated && open);
  const at = new Date(iso);
  const late = now !== null ? at.getTime() < now : overdue;
  return (
    <span data-testid="due-time" data-overdue={open && late ? 'true' : 'false'}>
      <time dateTime={iso}>{clockText(at, hydrated)}</time>
      {open && late && <strong className={styles.overdue}> · overdue{now !== null ? ` by ${durationText(now - at.getTime())}` : ''}</strong>}
      {open && !late && now !== null && <span> · in {durationText(at.getTime() - now)}</span>}
    </span>
  );
}
