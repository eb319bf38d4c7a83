'use client';
// A case's due time counting down ("due in 42 min") and, past it, up in red
// ("overdue by 3 h"). The server's HTML and the first client render use the
// server's clock (no hydration mismatch); then the browser's, every 30 s.
import { useEffect, useState } from 'react';
import { dueWords } from '../../../lib/display/due-words';

export function DueCountdown({ dueAt, now: serverNow }: { dueAt: string; now: string }) {
  const [now, setNow] = useState(() => new Date(serverNow).getTime());
  useEffect(() => {
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(timer);
  }, []);
  const { text, overdue } = dueWords(dueAt, now);
  return (
    <span className={overdue ? 'due overdue' : 'due'} data-testid="due" data-overdue={overdue} title={`Due ${dueAt.slice(0, 16).replace('T', ' ')} UTC`}>
      {overdue && <span className="badge overdue-flag">Overdue</span>} {text}
    </span>
  );
}

/** STAT in red, URGENT in amber, routine as plain words */
export function PriorityBadge({ priority }: { priority: string }) {
  if (priority === 'STAT') return <span className="badge priority-stat" data-priority="STAT">STAT</span>;
  if (priority === 'URGENT') return <span className="badge priority-urgent" data-priority="URGENT">Urgent</span>;
  return <span className="priority-routine" data-priority={priority}>Routine</span>;
}
