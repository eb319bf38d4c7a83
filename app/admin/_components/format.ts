// Display helpers shared by the admin pages (server and client).
export const ROLE_LABELS: Record<string, string> = {
  ADMIN: 'Administrator',
  REFERRING: 'Referring doctor',
  EXPERT: 'Expert',
  EMERGENCY: 'Emergency team',
  PRIVACY_OFFICER: 'Privacy officer',
};

/** "22 Nov 2026, 14:05" in UTC, so server and browser render the same text. */
export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return '—';
  const date = typeof value === 'string' ? new Date(value) : value;
  return `${date.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })} UTC`;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
