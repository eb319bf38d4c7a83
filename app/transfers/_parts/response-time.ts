// A response time as the notice page shows it (server side: no client module here).

/** "42 s", "4 min 10 s", "2 h 5 min"; null: not yet */
export function secondsText(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
