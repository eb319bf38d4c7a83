// DICOM values as a clinician reads them: names without carets, dates with
// dashes, ages in the unit a radiologist would say. Shared by the portal's
// pages (app/) and what lib/ prints (the report PDF).

/**
 * A PN as people read it: "MÜLLER^HANS^^DR" → "MÜLLER, DR HANS", "Иванов^Иван" → "Иванов, Иван";
 * the alphabetic group, else the ideographic one; "" for an empty name. The
 * portal's pages and the report PDF print names this way.
 */
export function personNameText(pn: string | null | undefined): string {
  const group = (pn ?? '').split('=').find((part) => part.trim() !== '') ?? '';
  const [family = '', given = '', middle = '', prefix = '', suffix = ''] = group.split('^').map((part) => part.trim());
  const first = [prefix, given, middle].filter(Boolean).join(' ');
  return ([family, first].filter(Boolean).join(', ') + (suffix ? ` ${suffix}` : '')).trim();
}

/** personNameText, and "(no name)" where a page must show something. */
export function displayName(pn: string): string {
  return personNameText(pn) || '(no name)';
}

/** The ideographic group of a PN, if any ("山田^太郎" → "山田 太郎"). */
export function ideographicName(pn: string): string {
  const ideographic = pn.split('=')[1] ?? '';
  return ideographic.split('^').filter(Boolean).join(' ');
}

/** DA "20240110" → "2024-01-10"; anything else as is. */
export function displayDate(da: string | null | undefined): string {
  const value = (da ?? '').trim();
  return /^\d{8}$/.test(value) ? `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}` : value;
}

/** TM "093012.5" → "09:30". */
export function displayTime(tm: string): string {
  return /^\d{4}/.test(tm) ? `${tm.slice(0, 2)}:${tm.slice(2, 4)}` : '';
}

function parseDa(da: string): Date | null {
  if (!/^\d{8}$/.test(da)) return null;
  const date = new Date(Date.UTC(Number(da.slice(0, 4)), Number(da.slice(4, 6)) - 1, Number(da.slice(6, 8))));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The patient's age on a day (the study date, else today): "54 y", "7 mo",
 * "12 d" — years from 2, months below that, days below a month. '' when the
 * birth date is unknown or after the day.
 */
export function ageOn(birthDa: string, onDa?: string, today: Date = new Date()): string {
  const birth = parseDa(birthDa);
  const on = (onDa && parseDa(onDa)) || today;
  if (!birth || birth > on) return '';
  let months = (on.getUTCFullYear() - birth.getUTCFullYear()) * 12 + (on.getUTCMonth() - birth.getUTCMonth());
  if (on.getUTCDate() < birth.getUTCDate()) months -= 1;
  if (months >= 24) return `${Math.floor(months / 12)} y`;
  if (months >= 1) return `${months} mo`;
  return `${Math.round((on.getTime() - birth.getTime()) / 86_400_000)} d`;
}

const SEX: Record<string, string> = { M: 'Male', F: 'Female', O: 'Other' };
export function displaySex(sex: string): string {
  return SEX[sex] ?? 'Unknown';
}
