// A case's due time as people say it: "due in 42 min", "due in 2 h 30 min",
// "due in 3 d", "overdue by 3 h". The inbox's countdown and "My referrals"
// print it with this one function (server HTML and the ticking client alike).

/** "42 min", "2 h 30 min", "14 h", "3 d 4 h": minutes up to an hour, hours to two days, then days */
export function durationWords(milliseconds: number): string {
  const minutes = Math.max(0, Math.floor(Math.abs(milliseconds) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return hours < 6 && rest ? `${hours} h ${rest} min` : `${hours} h`;
  }
  const days = Math.floor(hours / 24);
  const restHours = hours % 24;
  return days < 7 && restHours ? `${days} d ${restHours} h` : `${days} d`;
}

export interface DueWords {
  text: string;
  overdue: boolean;
}

/** "due in 42 min" / "overdue by 3 h"; a minute or less ahead is "due now" */
export function dueWords(dueAt: Date | string, now: Date | number = Date.now()): DueWords {
  const left = new Date(dueAt).getTime() - new Date(now).getTime();
  if (left < 0) return { text: `overdue by ${durationWords(left) === '0 min' ? '1 min' : durationWords(left)}`, overdue: true };
  if (left < 60_000) return { text: 'due now', overdue: false };
  return { text: `due in ${durationWords(left)}`, overdue: false };
}
